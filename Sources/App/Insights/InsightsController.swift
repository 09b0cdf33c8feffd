import Foundation
import Hummingbird

/// The Insights page and its CSV exports, for admins.
struct InsightsController {
    let insights: InsightsService
    let chrome: PageChrome.Factory

    func addRoutes(to adminPages: RouterGroup<AdminContext>) {
        adminPages.get(SiteRoute.insightsPage.pattern) { _, context -> HTMLResponse in
            let report = try await insights.report(for: context.identity.workspaceID)
            return HTMLResponse(html: InsightsPage.render(report, chrome: chrome("Insights", .insights, context.identity)))
        }
        adminPages.get(SiteRoute.insightsQuestionsCSV.pattern) { _, context -> Response in
            Self.csv(try await insights.questionsCSV(for: context.identity.workspaceID), name: "questions")
        }
        adminPages.get(SiteRoute.insightsRatingsCSV.pattern) { _, context -> Response in
            Self.csv(try await insights.ratingsCSV(for: context.identity.workspaceID), name: "ratings")
        }
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"cirrus-\(name)-\(InsightsService.dayKey(Date())).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
