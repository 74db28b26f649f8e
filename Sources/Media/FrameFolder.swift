import Foundation

/// A folder of still frames (`*.png`, `*.jpg`, `*.jpeg`, `*.webp`), in natural order (`f2` before `f10`).
public enum FrameFolder {
    /// File extensions taken as frames (compared case-insensitively).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    /// The frame files in `folder`, naturally sorted; hidden files are skipped. Throws when there are none.
    public static func frames(in folder: URL) throws -> [URL] {
        let shown = folder.displayPath
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            var info = stat()
            if stat(folder.path, &info) != 0 { throw FileBytes.openError(errno, role: "frames folder", path: shown) }
            if (info.st_mode & S_IFMT) != S_IFDIR {
                throw MediaError(.wrongKind, role: "frames folder", path: shown, problem: "is a file, expected a folder")
            }
            throw MediaError(.unreadable, role: "frames folder", path: shown, problem: "cannot list: permission denied",
                             advice: "make it readable (chmod +rx)")
        }
        let frames = names
            .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { naturalLess($0, $1) }
        if frames.isEmpty {
            throw MediaError(.invalidInput, role: "frames folder", path: shown, problem: "holds no .png, .jpg or .webp files")
        }
        return frames.map { folder.appendingPathComponent($0) }
    }

    /// Natural order: runs of digits compare as numbers, other text compares as text.
    public static func naturalLess(_ a: String, _ b: String) -> Bool {
        let x = runs(a), y = runs(b)
        for (p, q) in zip(x, y) where p != q {
            switch (p, q) {
            case let (.number(m, ms), .number(n, ns)):
                if m != n { return m.count != n.count ? m.count < n.count : m < n }
                return ms.count < ns.count    // same value: fewer leading zeros first
            case let (.text(s), .text(t)): return s < t
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
        return x.count < y.count
    }

    private enum Run: Equatable {
        /// Digits without leading zeros (compared by length, then text) and the original spelling.
        case number(String, String)
        case text(String)
    }

    private static func runs(_ s: String) -> [Run] {
        var out: [Run] = []
        var current = "", isDigits = false
        func flush() {
            guard !current.isEmpty else { return }
            if isDigits {
                let trimmed = String(current.drop { $0 == "0" })
                out.append(.number(trimmed, current))
            } else {
                out.append(.text(current))
            }
            current = ""
        }
        for ch in s {
            let digit = ch.isASCII && ch.isNumber
            if digit != isDigits { flush(); isDigits = digit }
            current.append(ch)
        }
        flush()
        return out
    }
}
