import Foundation

/// The studio's saved settings (`$XDG_CONFIG_HOME/zoetrope/studio.conf`, `key=value` lines): the theme chosen in
/// the studio becomes the default.
enum StudioSettings {
    static func url(environment: [String: String]) -> URL {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return config.appendingPathComponent("zoetrope/studio.conf")
    }

    /// The settings (empty when the file is missing or unreadable).
    static func load(environment: [String: String]) -> [String: String] {
        guard let text = try? String(contentsOf: url(environment: environment), encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// Merges `values` into the file (best effort: a read-only config folder only costs the setting).
    static func save(_ values: [String: String], environment: [String: String]) {
        var all = load(environment: environment)
        for (k, v) in values { all[k] = v }
        let u = url(environment: environment)
        try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        let text = all.keys.sorted().map { "\($0)=\(all[$0] ?? "")" }.joined(separator: "\n") + "\n"
        try? Data(text.utf8).write(to: u, options: .atomic)
    }
}

/// Recently chosen files, most recent first (`$XDG_STATE_HOME/zoetrope/recent`, `purpose<TAB>path` lines).
enum RecentFiles {
    static func url() -> URL {
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: env["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/state")
        return state.appendingPathComponent("zoetrope/recent")
    }

    static func entries() -> [(purpose: String, path: String)] {
        guard let text = try? String(contentsOf: url(), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }

    /// Recent files of one purpose.
    static func load(purpose: FilePicker.Purpose) -> [String] {
        entries().filter { $0.purpose == purpose.rawValue }.map(\.path)
    }

    /// Puts `path` first (at most 20 kept).
    static func add(_ path: String, purpose: FilePicker.Purpose) {
        var all = entries().filter { !($0.purpose == purpose.rawValue && $0.path == path) }
        all.insert((purpose.rawValue, path), at: 0)
        let text = all.prefix(20).map { "\($0.purpose)\t\($0.path)" }.joined(separator: "\n") + "\n"
        let u = url()
        try? FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: u, options: .atomic)
    }
}
