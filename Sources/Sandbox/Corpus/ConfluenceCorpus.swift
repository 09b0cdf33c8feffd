import CirrusCore
import Foundation

/// The Confluence Cloud sites the sandbox emulates: two Confluence sites (one granted per
/// consent pass) and a Jira-only site that accessible-resources also lists.
enum ConfluenceDirectory {
    struct Site: Sendable {
        let cloudID: String
        let name: String
        let url: String
        let confluence: Bool
    }

    static let main = Site(cloudID: "1324a887-45db-1bf4-1e99-ef0ff456d421", name: "githafconsulting", url: "https://githafconsulting.atlassian.net", confluence: true)
    static let labs = Site(cloudID: "8e2d7c61-93ab-4f05-b2c4-5a6d7e8f9012", name: "githaf-labs", url: "https://githaf-labs.atlassian.net", confluence: true)
    static let jira = Site(cloudID: "5b7e9d13-2c4f-4a68-9e0b-1d3f5a7c9e24", name: "githafconsulting-jira", url: "https://githafconsulting-jira.atlassian.net", confluence: false)
    static let sites = [main, labs, jira]

    static func site(_ cloudID: String) -> Site? { sites.first { $0.cloudID == cloudID } }
}

/// Confluence storage-format bodies with the macros real pages carry.
enum ConfluenceTexts {
    static let handbookHome = """
    <p>Welcome to the <strong>Engineering Handbook</strong>. It explains how Githaf Consulting builds and runs Beacon.</p>
    <ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="a1"><ac:parameter ac:name="title">Start here</ac:parameter><ac:rich-text-body><p>New engineers should read the Development Workflow page first.</p></ac:rich-text-body></ac:structured-macro>
    <p>See <ac:link><ri:page ri:space-key="ENG" ri:content-title="Development Workflow" /><ac:plain-text-link-body><![CDATA[Development Workflow]]></ac:plain-text-link-body></ac:link> and ask <ac:link><ri:user ri:account-id="712020:5f2a9c1e-73a6-4952-a53a-e9916737ff7f" /></ac:link> if anything is unclear.</p>
    <ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="a2"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>
    """

    static let workflow = """
    <h1>Development Workflow</h1>
    <p>Every change goes through a pull request with at least one approving review.&nbsp;Main is always deployable.</p>
    <ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="b1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[git switch -c feature/my-change
    make test]]></ac:plain-text-body></ac:structured-macro>
    <ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="b2"><ac:rich-text-body><p>Never push directly to main; the branch is protected.</p></ac:rich-text-body></ac:structured-macro>
    <ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Add the release notes before merging</ac:task-body></ac:task></ac:task-list>
    """

    static let codeReview = """
    <h2>Code Review Guidelines</h2>
    <p>Reviewers answer within one working day. Comments prefixed with &ldquo;nit&rdquo; are optional.</p>
    <table><tbody><tr><th>Change size</th><th>Reviewers</th></tr><tr><td>Under 200 lines</td><td>1</td></tr><tr><td>200 lines or more</td><td>2</td></tr></tbody></table>
    <ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="c1"><ac:parameter ac:name="title">Why two reviewers?</ac:parameter><ac:rich-text-body><p>Large changes hide bugs; a second reviewer catches about a third more defects.</p></ac:rich-text-body></ac:structured-macro>
    """

    static let deployments = """
    <h2>Deployments</h2>
    <ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Production deploys run at 10:00 CET on weekdays.</p></ac:layout-cell><ac:layout-cell><p>Rollbacks take under five minutes with the release tool.</p></ac:layout-cell></ac:layout-section></ac:layout>
    <ac:image ac:alt="Deployment pipeline diagram"><ri:attachment ri:filename="pipeline.png" /></ac:image>
    <p>The full checklist is attached: <ac:link><ri:attachment ri:filename="Release Checklist.pdf" /></ac:link>.</p>
    """

    static let incidentPostmortem = """
    <h2>Postmortem: Search Outage, 12 May 2025</h2>
    <p>Between 14:02 and 14:49 UTC answers failed for 38 percent of requests in Frankfurt. The cause was an expired TLS certificate on the vector store.</p>
    <ac:structured-macro ac:name="note" ac:schema-version="1" ac:macro-id="d1"><ac:rich-text-body><p>Certificates now renew automatically 30 days before expiry.</p></ac:rich-text-body></ac:structured-macro>
    """

    static let csHome = """
    <p>The <strong>Customer Success</strong> space holds playbooks for onboarding and renewals.</p>
    <ac:structured-macro ac:name="children" ac:schema-version="2" ac:macro-id="e1" />
    """

    static let onboardingPlaybook = """
    <h1>Customer Onboarding Playbook</h1>
    <p>Every new customer gets a kickoff call within three working days of signing and a health check after 30 days.</p>
    <ul><li>Kickoff call agenda sent 24 hours ahead</li><li>Import the customer's top 50 help articles in week one</li><li>Set the widget live in week two</li></ul>
    <ac:structured-macro ac:name="panel" ac:schema-version="1" ac:macro-id="f1"><ac:parameter ac:name="title">Success criterion</ac:parameter><ac:rich-text-body><p>The customer answers 60 percent of questions automatically by day 45.</p></ac:rich-text-body></ac:structured-macro>
    """

    static let renewals = """
    <h1>Renewals</h1>
    <p>Start renewal conversations 90 days before the contract ends. Offer the annual plan with a 15&nbsp;percent discount.</p>
    """

    static let research = """
    <h1>Retrieval Research Notes</h1>
    <p>Hybrid retrieval (BM25 plus vectors, fused with reciprocal rank fusion) beat either method alone by 9 points of top-5 accuracy on our benchmark.</p>
    """

    static func meetingNote(_ index: Int) -> String {
        "<p>Stand-up \(index): the team reviewed \(2 + index % 6) tickets and agreed on next steps for sprint \(index / 10 + 1).</p>"
    }
}

/// Builds the Confluence corpus: spaces with page trees (including a folder parent), macros,
/// attachments, and a space with 1,200 pages for pagination.
struct ConfluenceCorpus {
    let store: SandboxStore

    func seed() async {
        let clock = GoogleCorpus.Clock()
        var counter = 65536
        func nextID() -> String { counter += 1; return String(counter) }
        func add(
            _ title: String, in parent: String?, kind: String, site: ConfluenceDirectory.Site, space: String? = nil, mime: String = "text/html",
            content: SandboxContent = .none, id: String? = nil, extra: [String: String] = [:]
        ) async -> String {
            let identifier = id ?? (kind == "attachment" ? "att" + nextID() : nextID())
            var attributes = ["kind": kind, "cloudId": site.cloudID]
            for (key, value) in extra { attributes[key] = value }
            await store.insert(SandboxItem(
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
        _ = await add("Review Checklist", in: review, kind: "page", site: main, space: eng, content: body("<p>Check tests, naming and error handling before approving.</p>"))
        let operations = await add("Operations", in: engHome, kind: "folder", site: main, space: eng)
        let deployments = await add("Deployments", in: operations, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.deployments))
        _ = await add("Release Checklist.pdf", in: deployments, kind: "attachment", site: main, space: eng, mime: "application/pdf",
                      content: .bytes(DocumentFormats.pdf(.text("Release Checklist", [.init(bullets: ["Changelog updated", "Migrations reviewed", "On-call informed"])]))))
        _ = await add("pipeline.png", in: deployments, kind: "attachment", site: main, space: eng, mime: "image/png", content: .bytes(PNGWriter.make(width: 16, height: 16, rgb: (37, 99, 235))))
        _ = await add("Postmortem: Search Outage", in: operations, kind: "page", site: main, space: eng, content: body(ConfluenceTexts.incidentPostmortem))
        await setHomepage(eng, engHome)

        // Customer Success (CS), with 1,200 stand-up notes under one page.
        let cs = await add("Customer Success", in: root, kind: "space", site: main, extra: ["key": "CS", "description": "Onboarding and renewal playbooks"])
        let csHome = await add("Customer Success Home", in: cs, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.csHome))
        _ = await add("Customer Onboarding Playbook", in: csHome, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.onboardingPlaybook))
        _ = await add("Renewals", in: csHome, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.renewals))
        let standups = await add("Stand-up Notes", in: csHome, kind: "page", site: main, space: cs, content: body("<p>Daily stand-up notes.</p>"))
        for index in 1...1200 {
            _ = await add(String(format: "Stand-up %04d", index), in: standups, kind: "page", site: main, space: cs, content: body(ConfluenceTexts.meetingNote(index)))
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

extension Corpus {
    /// Storage-format bodies of the corpus's Confluence pages, for seed corpora and tests.
    public static var sampleConfluencePages: [String] {
        [ConfluenceTexts.handbookHome, ConfluenceTexts.workflow, ConfluenceTexts.codeReview]
    }
}
