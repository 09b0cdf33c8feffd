extension StaticAssets {
    /// Simple platform marks drawn for Cirrus (not the providers' trademarks), as SVG.
    static let icons: [String: String] = [
        "cirrus": ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#2563eb"/><path d="M13 27h15a6 6 0 0 0 .6-11.97A8 8 0 0 0 13.3 17.1 5 5 0 0 0 13 27z" fill="#fff"/></svg>"##,
        "google_drive": ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#f1f5f9"/><path d="M15 8h10l10 17h-10z" fill="#fbbc04"/><path d="M15 8 5 25l5 8 10-17z" fill="#0f9d58"/><path d="M10 33h20l5-8H15z" fill="#4285f4"/></svg>"##,
        "microsoft": ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#f1f5f9"/><rect x="9" y="9" width="10" height="10" fill="#f25022"/><rect x="21" y="9" width="10" height="10" fill="#7fba00"/><rect x="9" y="21" width="10" height="10" fill="#00a4ef"/><rect x="21" y="21" width="10" height="10" fill="#ffb900"/></svg>"##,
        "dropbox": ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#f1f5f9"/><path d="m14 9-7 4.5 7 4.5 6-4.5zm12 0-6 4.5 6 4.5 7-4.5zM7 22.5l7 4.5 6-4.5-6-4.5zm19-4.5-6 4.5 6 4.5 7-4.5zM14 28.5l6 4 6-4-6-4.5z" fill="#0061fe"/></svg>"##,
        "confluence": ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#f1f5f9"/><path d="M8 27c5-7 11-8 24-2l-3 6c-9-4-13-4-17 1zM32 13c-5 7-11 8-24 2l3-6c9 4 13 4 17-1z" fill="#1868db"/></svg>"##,
    ]
}
