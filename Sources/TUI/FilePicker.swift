import Foundation

/// The file picker's state: a folder listing filtered by file type and by typed text, a selection, recent files.
///
/// Reference images: PNG, JPEG, WebP, PPM. Pose sequences: `*.json` files, or a folder of them (chosen through the
/// "use this folder" row at the top). Typing filters by name (case-insensitive substring); Backspace edits the
/// filter; ↑/↓ move; Enter opens a folder or chooses a file; ← or Backspace on an empty filter goes up.
public struct FilePicker: Equatable, Sendable {
    /// What is being picked.
    public enum Purpose: String, Sendable, Equatable {
        case reference = "reference image"
        case poses = "pose sequence"

        /// File extensions shown.
        public var extensions: Set<String> {
            switch self {
            case .reference: return ["png", "jpg", "jpeg", "webp", "ppm"]
            case .poses: return ["json"]
            }
        }
    }

    /// One row.
    public struct Entry: Equatable, Sendable {
        public enum Kind: Equatable, Sendable { case parent, folder, file, useFolder, recent }
        public var name: String
        public var path: String
        public var kind: Kind
    }

    /// What a key did.
    public enum Outcome: Equatable, Sendable { case none, chosen(String), cancelled }

    public var purpose: Purpose
    /// The folder shown.
    public private(set) var directory: String
    /// Every row of the folder (before the text filter).
    public private(set) var entries: [Entry] = []
    /// Recently chosen files of this purpose (most recent first).
    public var recent: [String]
    /// The type-to-filter text.
    public var filter = TextField(limit: 128)
    /// Index into ``visible``.
    public var selection = 0
    /// A line about the folder (e.g. it cannot be read).
    public private(set) var note: String? = nil

    /// A picker showing `directory`.
    public init(purpose: Purpose, directory: String, recent: [String] = []) {
        self.purpose = purpose
        self.directory = directory
        self.recent = recent
        load(directory)
    }

    /// Rows matching the filter.
    public var visible: [Entry] {
        let f = filter.text.lowercased()
        if f.isEmpty { return entries }
        return entries.filter { $0.kind == .parent || $0.name.lowercased().contains(f) }
    }

    /// The selected row.
    public var selected: Entry? {
        let v = visible
        return v.indices.contains(selection) ? v[selection] : nil
    }

    /// Lists `path`: `..`, recent files, "use this folder" (poses), folders, then matching files, each sorted naturally.
    public mutating func load(_ path: String) {
        directory = URL(fileURLWithPath: path).standardizedFileURL.path
        note = nil
        var rows: [Entry] = []
        if directory != "/" {
            rows.append(Entry(name: "..", path: URL(fileURLWithPath: directory).deletingLastPathComponent().path, kind: .parent))
        }
        for r in recent.prefix(5) where FileManager.default.fileExists(atPath: r) {
            rows.append(Entry(name: "★ " + (r as NSString).lastPathComponent, path: r, kind: .recent))
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            note = "\(directory): cannot be listed"
            entries = rows
            selection = 0
            return
        }
        var folders: [Entry] = [], files: [Entry] = []
        var jsonCount = 0
        for name in names where !name.hasPrefix(".") {
            let full = (directory as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                folders.append(Entry(name: name + "/", path: full, kind: .folder))
            } else if purpose.extensions.contains((name as NSString).pathExtension.lowercased()) {
                files.append(Entry(name: name, path: full, kind: .file))
                if (name as NSString).pathExtension.lowercased() == "json" { jsonCount += 1 }
            }
        }
        if purpose == .poses && jsonCount > 1 {
            rows.append(Entry(name: "[use this folder: \(jsonCount) pose files]", path: directory, kind: .useFolder))
        }
        let natural: (Entry, Entry) -> Bool = { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
        entries = rows + folders.sorted(by: natural) + files.sorted(by: natural)
        selection = 0
    }

    /// Applies a key.
    public mutating func handle(_ key: StudioKey) -> Outcome {
        let count = visible.count
        switch key {
        case .escape: return .cancelled
        case .up, .control("p"): selection = max(0, selection - 1)
        case .down, .control("n"): selection = min(max(0, count - 1), selection + 1)
        case .pageUp: selection = max(0, selection - 10)
        case .pageDown: selection = min(max(0, count - 1), selection + 10)
        case .home: selection = 0
        case .end: selection = max(0, count - 1)
        case .left where filter.text.isEmpty, .backspace where filter.text.isEmpty:
            if directory != "/" { load(URL(fileURLWithPath: directory).deletingLastPathComponent().path) }
        case .enter, .right where filter.text.isEmpty:
            guard let entry = selected else { return .none }
            switch entry.kind {
            case .parent, .folder:
                filter = TextField(limit: 128)
                load(entry.path)
            case .file, .useFolder, .recent:
                return key == .enter ? .chosen(entry.path) : .none
            }
        default:
            if filter.apply(key) { selection = 0 }
        }
        return .none
    }
}
