import CirrusCore

/// The people who can sign in at each emulated provider (the seed's Sarah first).
enum SandboxAccounts {
    static let all: [Platform: [SandboxAccount]] = [
        .googleDrive: [
            SandboxAccount(
                id: "108734512098765432101", email: "sarah@githafconsulting.com", displayName: "Sarah Mitchell", givenName: "Sarah", familyName: "Mitchell"),
            SandboxAccount(
                id: "108734512098765432102", email: "daniel@githafconsulting.com", displayName: "Daniel Okafor", givenName: "Daniel", familyName: "Okafor"),
        ],
        .microsoft: [
            SandboxAccount(
                id: "5f2a9c1e-73a6-4952-a53a-e9916737ff7f", email: "sarah@githafconsulting.onmicrosoft.com", displayName: "Sarah Mitchell", givenName: "Sarah",
                familyName: "Mitchell"),
            SandboxAccount(
                id: "8b3d4e5f-1a2b-4c3d-9e8f-7a6b5c4d3e2f", email: "priya@githafconsulting.onmicrosoft.com", displayName: "Priya Raman", givenName: "Priya",
                familyName: "Raman"),
        ],
        .dropbox: [
            SandboxAccount(
                id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", email: "sarah@githafconsulting.com", displayName: "Sarah Mitchell", givenName: "Sarah",
                familyName: "Mitchell"),
            SandboxAccount(
                id: "dbid:AAB2c77Q1rbPMJc-PqsXycOR7zxHSpqRohd", email: "marco@githafconsulting.com", displayName: "Marco Bellini", givenName: "Marco",
                familyName: "Bellini"),
        ],
        .confluence: [
            SandboxAccount(
                id: "712020:5f2a9c1e-73a6-4952-a53a-e9916737ff7f", email: "sarah@githafconsulting.com", displayName: "Sarah Mitchell", givenName: "Sarah",
                familyName: "Mitchell"),
            SandboxAccount(
                id: "712020:8b3d4e5f-1a2b-4c3d-9e8f-7a6b5c4d3e2f", email: "lena@githafconsulting.com", displayName: "Lena Fischer", givenName: "Lena",
                familyName: "Fischer"),
        ],
    ]
}
