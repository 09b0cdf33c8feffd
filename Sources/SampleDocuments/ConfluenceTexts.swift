import Foundation

/// Confluence storage-format bodies with the macros real pages carry.
public enum ConfluenceTexts {
    public static let handbookHome = """
        <p>Welcome to the <strong>Engineering Handbook</strong>. It explains how Githaf Consulting builds and runs Beacon.</p>
        <ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="a1"><ac:parameter ac:name="title">Start here</ac:parameter><ac:rich-text-body><p>New engineers should read the Development Workflow page first.</p></ac:rich-text-body></ac:structured-macro>
        <p>See <ac:link><ri:page ri:space-key="ENG" ri:content-title="Development Workflow" /><ac:plain-text-link-body><![CDATA[Development Workflow]]></ac:plain-text-link-body></ac:link> and ask <ac:link><ri:user ri:account-id="712020:5f2a9c1e-73a6-4952-a53a-e9916737ff7f" /></ac:link> if anything is unclear.</p>
        <ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="a2"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>
        """

    public static let workflow = """
        <h1>Development Workflow</h1>
        <p>Every change goes through a pull request with at least one approving review.&nbsp;Main is always deployable.</p>
        <ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="b1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[git switch -c feature/my-change
        make test]]></ac:plain-text-body></ac:structured-macro>
        <ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="b2"><ac:rich-text-body><p>Never push directly to main; the branch is protected.</p></ac:rich-text-body></ac:structured-macro>
        <ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Add the release notes before merging</ac:task-body></ac:task></ac:task-list>
        """

    public static let codeReview = """
        <h2>Code Review Guidelines</h2>
        <p>Reviewers answer within one working day. Comments prefixed with &ldquo;nit&rdquo; are optional.</p>
        <table><tbody><tr><th>Change size</th><th>Reviewers</th></tr><tr><td>Under 200 lines</td><td>1</td></tr><tr><td>200 lines or more</td><td>2</td></tr></tbody></table>
        <ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="c1"><ac:parameter ac:name="title">Why two reviewers?</ac:parameter><ac:rich-text-body><p>Large changes hide bugs; a second reviewer catches about a third more defects.</p></ac:rich-text-body></ac:structured-macro>
        """

    public static let deployments = """
        <h2>Deployments</h2>
        <ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Production deploys run at 10:00 CET on weekdays.</p></ac:layout-cell><ac:layout-cell><p>Rollbacks take under five minutes with the release tool.</p></ac:layout-cell></ac:layout-section></ac:layout>
        <ac:image ac:alt="Deployment pipeline diagram"><ri:attachment ri:filename="pipeline.png" /></ac:image>
        <p>The full checklist is attached: <ac:link><ri:attachment ri:filename="Release Checklist.pdf" /></ac:link>.</p>
        """

    public static let incidentPostmortem = """
        <h2>Postmortem: Search Outage, 12 May 2025</h2>
        <p>Between 14:02 and 14:49 UTC answers failed for 38 percent of requests in Frankfurt. The cause was an expired TLS certificate on the vector store.</p>
        <ac:structured-macro ac:name="note" ac:schema-version="1" ac:macro-id="d1"><ac:rich-text-body><p>Certificates now renew automatically 30 days before expiry.</p></ac:rich-text-body></ac:structured-macro>
        """

    public static let csHome = """
        <p>The <strong>Customer Success</strong> space holds playbooks for onboarding and renewals.</p>
        <ac:structured-macro ac:name="children" ac:schema-version="2" ac:macro-id="e1" />
        """

    public static let onboardingPlaybook = """
        <h1>Customer Onboarding Playbook</h1>
        <p>Every new customer gets a kickoff call within three working days of signing and a health check after 30 days.</p>
        <ul><li>Kickoff call agenda sent 24 hours ahead</li><li>Import the customer's top 50 help articles in week one</li><li>Set the widget live in week two</li></ul>
        <ac:structured-macro ac:name="panel" ac:schema-version="1" ac:macro-id="f1"><ac:parameter ac:name="title">Success criterion</ac:parameter><ac:rich-text-body><p>The customer answers 60 percent of questions automatically by day 45.</p></ac:rich-text-body></ac:structured-macro>
        """

    public static let renewals = """
        <h1>Renewals</h1>
        <p>Start renewal conversations 90 days before the contract ends. Offer the annual plan with a 15&nbsp;percent discount.</p>
        """

    public static let research = """
        <h1>Retrieval Research Notes</h1>
        <p>Hybrid retrieval (BM25 plus vectors, fused with reciprocal rank fusion) beat either method alone by 9 points of top-5 accuracy on our benchmark.</p>
        """

    public static func meetingNote(_ index: Int) -> String {
        "<p>Stand-up \(index): the team reviewed \(2 + index % 6) tickets and agreed on next steps for sprint \(index / 10 + 1).</p>"
    }
}
