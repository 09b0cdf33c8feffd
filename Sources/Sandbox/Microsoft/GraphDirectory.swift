/// The Microsoft 365 tenant the sandbox emulates: Sarah's OneDrive, two SharePoint sites (one
/// under `/teams/`), and a Team with channel folders. Ids are fixed so they survive a reset.
enum GraphDirectory {
    static let tenantID = "9f3c2a7e-4b1d-4e8f-a6c5-2d7b9e0f1a3c"
    static let hostname = "githafconsulting.sharepoint.com"

    struct Drive: Sendable {
        let id: String
        let name: String
        let driveType: String
        let webURL: String
        let rootID: String
        let siteID: String?
        let groupID: String?
    }

    struct Site: Sendable {
        let id: String
        let name: String
        let displayName: String
        let description: String
        let serverRelativePath: String
        let driveIDs: [String]
        var webURL: String { "https://\(GraphDirectory.hostname)\(serverRelativePath)" }
    }

    struct Channel: Sendable {
        let id: String
        let displayName: String
        let folderID: String
    }

    struct Team: Sendable {
        let id: String
        let displayName: String
        let description: String
        let driveID: String
        let channels: [Channel]
    }

    static let oneDrive = Drive(
        id: "b!CirrusOneDriveSarahMitchell0000000000000000000000000000000000000a",
        name: "OneDrive", driveType: "business", webURL: "https://githafconsulting-my.sharepoint.com/personal/sarah_githafconsulting_com/Documents",
        rootID: "01ONEDRIVEROOT0000000000000000000000", siteID: nil, groupID: nil)
    static let marketingDocuments = Drive(
        id: "b!CirrusMarketingSiteDocuments00000000000000000000000000000000000b",
        name: "Documents", driveType: "documentLibrary", webURL: "https://\(hostname)/sites/marketing/Shared%20Documents",
        rootID: "01MARKETINGDOCSROOT00000000000000000", siteID: marketingSiteID, groupID: nil)
    static let marketingBrand = Drive(
        id: "b!CirrusMarketingSiteBrandAssets000000000000000000000000000000000c",
        name: "Brand Assets", driveType: "documentLibrary", webURL: "https://\(hostname)/sites/marketing/Brand%20Assets",
        rootID: "01MARKETINGBRANDROOT0000000000000000", siteID: marketingSiteID, groupID: nil)
    static let engineeringDocuments = Drive(
        id: "b!CirrusEngineeringTeamSiteDocs000000000000000000000000000000000d",
        name: "Documents", driveType: "documentLibrary", webURL: "https://\(hostname)/teams/engineering/Shared%20Documents",
        rootID: "01ENGINEERINGDOCSROOT000000000000000", siteID: engineeringSiteID, groupID: nil)
    static let productTeamDrive = Drive(
        id: "b!CirrusProductTeamGroupDrive00000000000000000000000000000000000e",
        name: "Documents", driveType: "documentLibrary", webURL: "https://\(hostname)/sites/ProductTeam/Shared%20Documents",
        rootID: "01PRODUCTTEAMROOT000000000000000000", siteID: productSiteID, groupID: productTeamID)

    static let marketingSiteID = "\(hostname),1b9f0c2e-5d3a-4f7b-8e6c-0a2d4f6b8c1e,7e5c3a1f-9b2d-4c6e-8f0a-2b4d6f8a0c3e"
    static let engineeringSiteID = "\(hostname),2c0a1d3f-6e4b-4a8c-9f7d-1b3e5a7c9d2f,8f6d4b2a-0c3e-4d7f-9a1b-3c5e7a9b1d4f"
    static let productSiteID = "\(hostname),3d1b2e4a-7f5c-4b9d-8a8e-2c4f6b8d0e3a,9a7e5c3b-1d4f-4e8a-8b2c-4d6f8b0c2e5a"
    static let productTeamID = "172b0cce-e65d-44ce-9a49-91d9f2e8493a"

    static let drives = [oneDrive, marketingDocuments, marketingBrand, engineeringDocuments, productTeamDrive]

    static let sites = [
        Site(
            id: marketingSiteID, name: "marketing", displayName: "Marketing", description: "Campaigns, brand and events",
            serverRelativePath: "/sites/marketing", driveIDs: [marketingDocuments.id, marketingBrand.id]),
        Site(
            id: engineeringSiteID, name: "engineering", displayName: "Engineering", description: "Policies and runbooks",
            serverRelativePath: "/teams/engineering", driveIDs: [engineeringDocuments.id]),
        Site(
            id: productSiteID, name: "ProductTeam", displayName: "Product Team", description: "The Product Team's files",
            serverRelativePath: "/sites/ProductTeam", driveIDs: [productTeamDrive.id]),
    ]

    static let teams = [
        Team(
            id: productTeamID, displayName: "Product Team", description: "Roadmap, launches and research", driveID: productTeamDrive.id,
            channels: [
                Channel(id: "19:general0123456789abcdef@thread.tacv2", displayName: "General", folderID: "01PRODUCTTEAMGENERAL0000000000000000"),
                Channel(id: "19:launch0123456789abcdef0@thread.tacv2", displayName: "Launch", folderID: "01PRODUCTTEAMLAUNCH00000000000000000"),
            ])
    ]

    static func drive(_ id: String) -> Drive? { drives.first { $0.id.lowercased() == id.lowercased() } }
    static func site(_ id: String) -> Site? { sites.first { $0.id == id } }
}
