import Foundation
import PackagePlugin

/// Compiles the target's `Web/Static` files (stylesheets, scripts, icons) into a Swift source
/// file at build time, so they are ordinary files to read and edit and still part of the one binary.
@main
struct EmbedWebAssets: BuildToolPlugin {
    static let extensions: Set<String> = ["css", "js", "svg"]

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let staticDirectory = target.directoryURL.appending(path: "Web/Static")
        let inputs = target.sourceFiles.map(\.url)
            .filter { Self.extensions.contains($0.pathExtension) && $0.path.hasPrefix(staticDirectory.path + "/") }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebAssets.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) web assets",
                executable: try context.tool(named: "EmbedWebAssetsTool").url,
                arguments: [output.path, staticDirectory.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
