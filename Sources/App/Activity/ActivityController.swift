import Hummingbird

/// `/admin/activity`: the workspace's audit log as a page.
struct ActivityController {
    let activity: ActivityLog
    let chrome: PageChrome.Factory

    func addRoutes(to pages: RouterGroup<SignedInContext>) {
        pages.get(SiteRoute.activityPage.pattern) { _, context -> HTMLResponse in
            let rows = try await activity.rows(for: context.identity, limit: 200)
            return HTMLResponse(html: ActivityPage.render(.init(rows: rows), chrome: chrome("Activity", .activity, context.identity)))
        }
    }
}
