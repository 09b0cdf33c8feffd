import FluentKit

/// `documents.ocr_pages` and `ocr_confidence`: how much of a document's text OCR recognized,
/// and Tesseract's mean confidence in it (both empty for text read from the file itself).
struct AddOCRToDocuments: AsyncMigration {
    var name: String { "AddOCRToDocuments" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("ocr_pages", .int), ("ocr_confidence", .int)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "documents")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns(Self.columns, from: "documents")
    }
}
