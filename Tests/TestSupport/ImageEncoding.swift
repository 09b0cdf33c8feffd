import CTesseract
import Foundation

/// Images re-encoded by Leptonica, so OCR is tested on every format scanners and phones save.
public enum ImageEncoding {
    public enum Format: Sendable {
        case jpeg, bmp, gif, webp, tiffLZW

        var code: Int32 {
            switch self {
            case .jpeg: Int32(IFF_JFIF_JPEG)
            case .bmp: Int32(IFF_BMP)
            case .gif: Int32(IFF_GIF)
            case .webp: Int32(IFF_WEBP)
            case .tiffLZW: Int32(IFF_TIFF_LZW)
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `image` (any format Leptonica reads) written as `format`.
    public static func reencode(_ image: [UInt8], as format: Format) throws -> [UInt8] {
        var pix = image.withUnsafeBufferPointer { pixReadMem($0.baseAddress, $0.count) }
        defer { pixDestroy(&pix) }
        guard pix != nil else { throw Failure(description: "Leptonica cannot read the image") }
        var data: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard pixWriteMem(&data, &size, pix, format.code) == 0, let data else { throw Failure(description: "Leptonica cannot write \(format)") }
        defer { free(data) }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}
