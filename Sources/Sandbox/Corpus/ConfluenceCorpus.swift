import CirrusCore
import Foundation
import SampleDocuments

/// The Confluence Cloud sites the sandbox emulates: two Confluence sites (one granted per
/// consent pass) and a Jira-only site that accessible-resources also lists.
enum ConfluenceDirectory {
    struct Site: Sendable {
        let cloudID: String
        let name: String
        let url: String
        let confluence: Bool
    }

    static let main = Site(
        cloudID: "1324a887-45db-1bf4-1e99-ef0ff456d421", name: "githafconsulting", url: "https://githafconsulting.atlassian.net", confluence: true)
    static let labs = Site(cloudID: "8e2d7c61-93ab-4f05-b2c4-5a6d7e8f9012", name: "githaf-labs", url: "https://githaf-labs.atlassian.net", confluence: true)
    static let jira = Site(
        cloudID: "5b7e9d13-2c4f-4a68-9e0b-1d3f5a7c9e24", name: "githafconsulting-jira", url: "https://githafconsulting-jira.atlassian.net", confluence: false)
    static let sites = [main, labs, jira]

    static func site(_ cloudID: String) -> Site? { sites.first { $0.cloudID == cloudID } }
}

/// Builds the Confluence corpus: spaces with page trees (including a folder parent), macros,
/// attachments, and a space with 1,200 pages for pagination.
struct ConfluenceCorpus {
    let store: SandboxStore

    func seed() async {
        let clock = GoogleCorpus.Clock()
        var counter = 65536
        func nextID() -> String {
            counter += 1
            return String(counter)
        }
        func add(
            _ title: String, in parent: String?, kind: String, site: ConfluenceDirectory.Site, space: String? = nil, mime: String = "text/html",
            content: SandboxContent = .none, id: String? = nil, extra: [String: String] = [:]
        ) async -> String {
            let identifier = id ?? (kind == "attachment" ? "att" + nextID() : nextID())
            var attributes = ["kind": kind, "cloudId": site.cloudID]
            for (key, value) in extra { attributes[key] = value }
            await store.insert(
                SandboxItem(
                    id: identifier, platform: .confluence, name: title, parentID: parent, isFolder: kind != "attachment", mimeType: mime,
                    content: content, createdAt: clock.next(), containerID: space, attributes: attributes), seeding: true)
            return identifier
        }
        func body(_ text: String) -> SandboxContent { .bytes(Array(text.utf8)) }
        let main = ConfluenceDirectory.main
        let root = await add("Confluence", in: nil, kind: "root", site: main, id: Corpus.rootID(for: .confluence))

        // Engineering Handbook (ENG).
        let eng = await add("Engineering Handbook", in: root, kind: "space", site: main, extra: ["key": "ENG", "description": "How we build and run Beacon"])
        let engHome = await add("Engineering Handbook", in: eng, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.handbookHome))
        let workflow = await add("Development Workflow", in: engHome, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.workflow))
        let review = await add("Code Review Guidelines", in: workflow, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.codeReview))
        _ = await add(
            "Review Checklist", in: review, kind: "page", site: main, space: eng,
            content: body("<p>Check tests, naming and error handling before approving.</p>"))
        let operations = await add("Operations", in: engHome, kind: "folder", site: main, space: eng)
        let deployments = await add("Deployments", in: operations, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.deployments))
        _ = await add(
            "Release Checklist.pdf", in: deployments, kind: "attachment", site: main, space: eng, mime: "application/pdf",
            content: .bytes(
                DocumentFormats.pdf(.text("Release Checklist", [.init(bullets: ["Changelog updated", "Migrations reviewed", "On-call informed"])]))))
        _ = await add(
            "pipeline.png", in: deployments, kind: "attachment", site: main, space: eng, mime: "image/png",
            content: .bytes(PNGWriter.make(width: 16, height: 16, rgb: (37, 99, 235))))
        _ = await add("Postmortem: Search Outage", in: operations, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.incidentPostmortem))
        await setHomepage(eng, engHome)

        // Customer Success (CS), with 1,200 stand-up notes under one page.
        let cs = await add("Customer Success", in: root, kind: "space", site: main, extra: ["key": "CS", "description": "Onboarding and renewal playbooks"])
        let csHome = await add("Customer Success Home", in: cs, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.csHome))
        _ = await add("Customer Onboarding Playbook", in: csHome, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.onboardingPlaybook))
        _ = await add("Renewals", in: csHome, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.renewals))
        let standups = await add("Stand-up Notes", in: csHome, kind: "page", site: main, space: cs, content: body("<p>Daily stand-up notes.</p>"))
        for index in 1...1200 {
            _ = await add(
                String(format: "Stand-up %04d", index), in: standups, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.meetingNote(index)))
        }
        await setHomepage(cs, csHome)

        // The second site.
        let labs = ConfluenceDirectory.labs
        let res = await add("Research", in: root, kind: "space", site: labs, extra: ["key": "RES", "description": "Experiments"])
        let resHome = await add("Research Home", in: res, kind: "page", site: labs, space: res, content: body(ConfluenceTexts.research))
        await setHomepage(res, resHome)
    }

    private func setHomepage(_ space: String, _ page: String) async {
        guard var item = await store.item(space, platform: .confluence) else { return }
        item.attributes["homepageId"] = page
        await store.insert(item, seeding: true, replacing: true)
    }
}
