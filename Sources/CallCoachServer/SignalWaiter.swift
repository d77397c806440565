import Foundation

/// Termination signals, turned into a byte on a pipe so the main thread can wait for them.
///
/// Blocking the signals with `pthread_sigmask` is not enough: threads the runtime started before
/// `main` would still receive them and the default action would end the process mid-request.
public enum SignalWaiter {
    /// Installs the handlers for SIGTERM and SIGINT. Call once, before the server starts.
    public static func install() {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { fatalError("cannot create the signal pipe") }
        _ = fcntl(descriptors[1], F_SETFL, O_NONBLOCK)
        signalPipe = (descriptors[0], descriptors[1])
        for signal in [SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = signalHandler
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Waits for SIGTERM or SIGINT and returns which arrived.
    public static func waitForTermination() -> Int32 {
        var signal: UInt8 = 0
        while read(signalPipe.read, &signal, 1) != 1 {}
        return Int32(signal)
    }
}

// Written once in `install()`, before any handler can run; read only by the handler.
nonisolated(unsafe) private var signalPipe: (read: Int32, write: Int32) = (-1, -1)

private let signalHandler: @convention(c) (Int32) -> Void = { signal in
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipe.write, &byte, 1)
}
