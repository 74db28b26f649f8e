import ArgumentParser
import Engine
import Foundation

/// `zoetrope inspect weights FILE [--json]`: every tensor (name, dtype, shape) and the metadata of a checkpoint.
struct InspectWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "List the tensors (name, dtype, shape) and metadata of a safetensors checkpoint.",
        discussion: """
        The header is validated in full first (sizes, offsets, dtypes, duplicate names); a damaged or hostile \
        file gets one line saying what is wrong.

        Example:
          zoetrope inspect weights demo/model.safetensors --json
        """)

    @Argument(help: ArgumentHelp("The .safetensors file.", valueName: "FILE"))
    var file: String

    @Flag(name: .long, help: "Print JSON: {\"file\", \"metadata\", \"tensors\": [{\"name\", \"dtype\", \"shape\"}]}.")
    var json = false

    func run() throws {
        let st: SafetensorsFile
        do { st = try SafetensorsFile(path: file) } catch { throw InspectWeightsFailure(message: error.description) }
        if json {
            print(Self.jsonReport(st))
        } else {
            print(Self.textReport(st))
        }
    }

    static func textReport(_ st: SafetensorsFile) -> String {
        let parameters = st.entries.reduce(0) { $0 + $1.count }
        let bytes = st.entries.reduce(0) { $0 + $1.byteRange.count }
        var lines = ["\(st.path): \(st.entries.count) tensors, \(parameters) parameters, \(bytes) bytes of data"]
        if st.metadata.isEmpty {
            lines.append("metadata: none")
        } else {
            lines.append("metadata:")
            for (k, v) in st.metadata { lines.append("  \(k) = \(v)") }
        }
        let width = min(max(st.entries.map(\.name.count).max() ?? 4, 4), 80)
        lines.append("name".padding(toLength: width, withPad: " ", startingAt: 0) + "  dtype    shape")
        for e in st.entries {
            let dims = "[" + e.shape.map(String.init).joined(separator: ", ") + "]"
            lines.append(e.name.padding(toLength: max(width, e.name.count), withPad: " ", startingAt: 0) + "  "
                         + e.dtype.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + "  " + dims)
        }
        return lines.joined(separator: "\n")
    }

    static func jsonReport(_ st: SafetensorsFile) -> String {
        let tensors = st.entries.map { e -> HeaderJSON in
            .object([("name", .string(e.name)), ("dtype", .string(e.dtype.rawValue)),
                     ("shape", .array(e.shape.map { .number(Double($0), integer: Int64($0)) }))])
        }
        let doc = HeaderJSON.object([
            ("file", .string(st.path)),
            ("metadata", .object(st.metadata.map { ($0.key, HeaderJSON.string($0.value)) })),
            ("tensors", .array(tensors)),
        ])
        return doc.serialized
    }
}

/// A checkpoint that could not be read: printed as one line by the argument parser, exit status 1.
struct InspectWeightsFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
