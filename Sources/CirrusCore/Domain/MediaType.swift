/// The MIME type a file name's extension stands for, for providers that give no type (Dropbox)
/// and for files whose given type is generic.
public enum MediaType {
    public static let byExtension: [String: String] = [
        "pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation", "epub": "application/epub+zip", "eml": "message/rfc822",
        "mbox": "application/mbox", "rtf": "application/rtf",
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
        "html": "text/html", "htm": "text/html", "xhtml": "application/xhtml+xml", "md": "text/markdown", "markdown": "text/markdown",
        "csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json", "txt": "text/plain", "text": "text/plain",
        "log": "text/plain", "rst": "text/plain", "xml": "text/plain", "yaml": "text/plain", "yml": "text/plain",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "tif": "image/tiff", "tiff": "image/tiff",
        "bmp": "image/bmp", "webp": "image/webp", "zip": "application/zip",
        "mp4": "video/mp4", "mov": "video/quicktime", "paper": "application/vnd.dropbox.paper",
    ]

    /// The type for `fileName`'s extension, or `nil` when it has none or an unknown one.
    public static func forFileName(_ fileName: String) -> String? {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return nil }
        return byExtension[fileName[fileName.index(after: dot)...].lowercased()]
    }
}
