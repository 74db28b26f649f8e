import Dispatch
import Foundation
import Media

/// On SIGINT or SIGTERM, removes the hidden temporaries of outputs being written, then exits with 128 + signal,
/// so an interrupted `convert` leaves nothing behind.
enum InterruptCleanup {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers (call once at the start of a command that writes files).
    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                TemporaryOutputs.removeAll()
                FileHandle.standardError.write(Data("\ninterrupted: partial output removed\n".utf8))
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
