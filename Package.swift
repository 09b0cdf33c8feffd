// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Cirrus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cirrus", targets: ["cirrus"]),
        .executable(name: "cirrus-bench", targets: ["CirrusBench"]),
        .library(name: "App", targets: ["App"]),
        // For the fuzz targets in Fuzz/ (`make fuzz`).
        .library(name: "Extraction", targets: ["Extraction"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Domain types, typed errors and the token vault (Fernet / MultiFernet).
        .target(
            name: "CirrusCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CloudConnector protocol and one client per provider.
        .target(
            name: "Connectors",
            dependencies: [
                "CirrusCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // poppler-glib, the PDF library behind `pdftotext` (Debian: libpoppler-glib-dev).
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        // Tesseract and Leptonica, the OCR of images and scanned pages (Debian: libtesseract-dev, libleptonica-dev).
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev", "libleptonica-dev"])]),
        // One text extractor per document format.
        .target(
            name: "Extraction",
            dependencies: ["CirrusCore", "CPoppler", "CTesseract", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // OpenBLAS, the matrix products of the built-in embedder (Debian: libopenblas-dev).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The encoder's kernels in C: oneDNN's matrix multiplication for the dense layers (Debian:
        // libdnnl-dev, built on GNU OpenMP; its API passes shapes as fixed arrays), and the
        // element-wise steps compiled for AVX-512, AVX2 and plain x86-64, picked when first called.
        // Optimised in debug builds too, as the Knowledge target is.
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]
        ),
        // Chunking, embeddings, search index and answers.
        .target(
            name: "Knowledge",
            dependencies: ["CirrusCore", "Extraction", "COpenBLAS", "CKernels", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            // The encoder's element-wise loops (LayerNorm, GELU, softmax) run 30× slower unoptimised;
            // debug builds and tests optimise this one target so imports stay quick.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // Known documents and writers of every format Cirrus reads (DOCX, XLSX, PPTX, PDF, …),
        // shared by the emulators' corpus, the tests and the benchmarks.
        // Cairo, which draws the scanned pages of the OCR tests and benchmark (Debian: libcairo2-dev, with poppler-glib).
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .target(name: "SampleDocuments", dependencies: ["CCairo"]),
        // Emulators of the four providers, for tests, benchmarks and demo mode.
        .target(
            name: "Sandbox",
            dependencies: [
                "CirrusCore", "SampleDocuments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Compiles App's Web/Static files into the binary (`EmbedWebAssetsTool` writes the Swift).
        .executableTarget(name: "EmbedWebAssetsTool"),
        .plugin(name: "EmbedWebAssets", capability: .buildTool(), dependencies: ["EmbedWebAssetsTool"]),
        // Web routes, pages, API, store, jobs and auth; `buildApplication(config)` lives here.
        .target(
            name: "App",
            dependencies: [
                "CirrusCore", "Connectors", "Extraction", "Knowledge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            plugins: ["EmbedWebAssets"]
        ),
        // Demo mode, for the composition roots: the sandbox in place of the providers.
        .target(
            name: "Demo",
            dependencies: [
                "App", "CirrusCore", "Connectors", "Extraction", "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "cirrus",
            dependencies: [
                "App", "Demo", "Sandbox", "Extraction", "Knowledge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks run by `make bench`; they print figures with the command that made them.
        .executableTarget(
            name: "CirrusBench",
            dependencies: [
                "App", "Demo", "Sandbox", "SampleDocuments", "Extraction", "Knowledge", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the test targets share: `eventually`, a manual clock, `TestFailure`.
        .target(name: "TestSupport", dependencies: ["CTesseract"], path: "Tests/TestSupport"),
        .testTarget(name: "CirrusCoreTests", dependencies: ["CirrusCore"]),
        .testTarget(name: "ConnectorsTests", dependencies: ["Connectors"]),
        .testTarget(
            name: "ExtractionTests",
            dependencies: ["Extraction", "SampleDocuments", "TestSupport", "CTesseract", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Producers", "Regressions"]
        ),
        .testTarget(name: "KnowledgeTests", dependencies: ["Knowledge", "Extraction", "SampleDocuments", "TestSupport"], exclude: ["Reference"]),
        .testTarget(
            name: "SandboxTests",
            dependencies: [
                "Sandbox", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["Clients"]
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Demo", "Sandbox", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
