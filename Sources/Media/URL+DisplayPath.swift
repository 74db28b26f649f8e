import Foundation

extension URL {
    /// The path as the user typed it when the URL was made from a relative path, else the full path.
    package var displayPath: String {
        let relative = relativePath
        return relative.isEmpty ? path : relative
    }
}
