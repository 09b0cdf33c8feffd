// swift-tools-version: 6.2
// libFuzzer targets for the extractors, built apart from the main package because they link
// libFuzzer's own `main` (`make fuzz` builds them with -sanitize=fuzzer,address).
import PackageDescription

let package = Package(
    name: "CirrusFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Cirrus", path: "..")],
    targets: [
        .executableTarget(name: "ExtractorFuzz", dependencies: [.product(name: "Extraction", package: "Cirrus")]),
    ]
)
