import Foundation

/// The hidden temporaries of outputs being written, so an interrupted program (Ctrl-C) can remove them on its way
/// out: `AtomicOutput` registers each temporary until it is committed or discarded.
package enum TemporaryOutputs {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var paths: Set<String> = []
    }
    private static let registry = Registry()

    /// Records a temporary file or folder.
    static func register(_ url: URL) {
        registry.lock.lock(); defer { registry.lock.unlock() }
        registry.paths.insert(url.path)
    }

    /// Forgets a temporary (committed or already removed).
    static func unregister(_ url: URL) {
        registry.lock.lock(); defer { registry.lock.unlock() }
        registry.paths.remove(url.path)
    }

    /// Removes every registered temporary (files and folders); for signal handlers on the way out.
    package static func removeAll() {
        registry.lock.lock(); defer { registry.lock.unlock() }
        for path in registry.paths { try? FileManager.default.removeItem(atPath: path) }
        registry.paths.removeAll()
    }
}
