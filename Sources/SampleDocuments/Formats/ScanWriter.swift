import CCairo
import Foundation

/// Pages of known text as a scanner would deliver them, for OCR's tests and benchmark: drawn
/// with a real font at 300 dpi, turned a little and speckled with noise, as a PNG or as a PDF
/// whose pages are only images (no text layer) — or a PDF mixing such a page with a page of real text.
public enum ScanWriter {
    public struct Style: Sendable {
        public var font: String
        public var points: Double
        /// Degrees the page is turned (a scan is never straight).
        public var rotation: Double
        /// Share of pixels flipped to black or white.
        public var noise: Double

        public init(font: String = "DejaVu Sans", points: Double = 12, rotation: Double = 0.6, noise: Double = 0.002) {
            (self.font, self.points, self.rotation, self.noise) = (font, points, rotation, noise)
        }
    }

    public static let dpi = 300.0
    /// A4 in points.
    static let pageSize = (width: 595.0, height: 842.0)

    /// One page of `lines` as a PNG.
    public static func png(_ lines: [String], style: Style, seed: UInt64 = 1) -> [UInt8] {
        let surface = page(lines, style: style, seed: seed)
        defer { cairo_surface_destroy(surface) }
        return write { closure in
            cairo_surface_write_to_png_stream(
                surface,
                { closure, data, length in
                    ScanWriter.append(closure, data, length)
                }, closure)
        }
    }

    /// A PDF whose pages are the scanned images of `pages` (no text layer), and, when
    /// `textPage` is given, a first page of real text.
    public static func pdf(_ pages: [[String]], style: Style, textPage: [String]? = nil, seed: UInt64 = 1) -> [UInt8] {
        write { closure in
            let pdf = cairo_pdf_surface_create_for_stream(
                { closure, data, length in ScanWriter.append(closure, data, length) }, closure, pageSize.width, pageSize.height)
            let context = cairo_create(pdf)
            if let textPage {
                draw(textPage, style: style, ink: 0, context: context)
                cairo_show_page(context)
            }
            for (index, lines) in pages.enumerated() {
                let image = page(lines, style: style, seed: seed &+ UInt64(index))
                cairo_save(context)
                cairo_scale(context, 72 / dpi, 72 / dpi)
                cairo_set_source_surface(context, image, 0, 0)
                cairo_paint(context)
                cairo_restore(context)
                cairo_show_page(context)
                cairo_surface_destroy(image)
            }
            cairo_destroy(context)
            cairo_surface_finish(pdf)
            cairo_surface_destroy(pdf)
            return CAIRO_STATUS_SUCCESS
        }
    }

    /// The page image: white, the lines in black from the top left, turned and speckled.
    static func page(_ lines: [String], style: Style, seed: UInt64) -> OpaquePointer {
        let scale = dpi / 72
        let width = Int32(pageSize.width * scale)
        let height = Int32(pageSize.height * scale)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)!
        let context = cairo_create(surface)
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_translate(context, Double(width) / 2, Double(height) / 2)
        cairo_rotate(context, style.rotation * .pi / 180)
        cairo_translate(context, -Double(width) / 2, -Double(height) / 2)
        cairo_scale(context, scale, scale)
        draw(lines, style: style, ink: 0.05, context: context)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        // Speckle: flip a share of pixels, from a seeded generator so a page is the same every time.
        let data = cairo_image_surface_get_data(surface)!
        let stride = Int(cairo_image_surface_get_stride(surface))
        var state = seed | 1
        let flips = Int(Double(width) * Double(height) * style.noise)
        for _ in 0..<flips {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let x = Int((state >> 33) % UInt64(width))
            let y = Int((state >> 13) % UInt64(height))
            let pixel = UnsafeMutableRawPointer(data + y * stride + x * 4).assumingMemoryBound(to: UInt32.self)
            pixel.pointee = (state >> 7) & 1 == 0 ? 0x000000 : 0xFFFFFF
        }
        cairo_surface_mark_dirty(surface)
        return surface
    }

    /// The lines in `style`'s font from the top left margin, wrapped to the page, in grey `ink`.
    static func draw(_ lines: [String], style: Style, ink: Double, context: OpaquePointer?) {
        cairo_select_font_face(context, style.font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, style.points)
        cairo_set_source_rgb(context, ink, ink, ink)
        for (index, line) in wrap(lines, context: context).enumerated() {
            cairo_move_to(context, 60, 80 + Double(index) * style.points * 1.6)
            cairo_show_text(context, line)
        }
    }

    /// Lines broken between words so each fits between the page's margins (60 points each side).
    static func wrap(_ lines: [String], context: OpaquePointer?) -> [String] {
        var wrapped: [String] = []
        for line in lines {
            var current = ""
            for word in line.split(separator: " ") {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                var extents = cairo_text_extents_t()
                cairo_text_extents(context, candidate, &extents)
                if extents.x_advance > pageSize.width - 120, !current.isEmpty {
                    wrapped.append(current)
                    current = String(word)
                } else {
                    current = candidate
                }
            }
            if !current.isEmpty { wrapped.append(current) }
        }
        return wrapped
    }

    /// Runs `body` with a closure pointer that `append` fills, and returns what was written.
    private static func write(_ body: (UnsafeMutableRawPointer) -> cairo_status_t) -> [UInt8] {
        let buffer = Buffer()
        let pointer = Unmanaged.passRetained(buffer).toOpaque()
        defer { Unmanaged<Buffer>.fromOpaque(pointer).release() }
        _ = body(pointer)
        return buffer.bytes
    }

    private final class Buffer { var bytes: [UInt8] = [] }

    fileprivate static func append(_ closure: UnsafeMutableRawPointer?, _ data: UnsafePointer<UInt8>?, _ length: UInt32) -> cairo_status_t {
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        Unmanaged<Buffer>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}
