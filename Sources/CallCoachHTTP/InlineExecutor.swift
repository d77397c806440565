import Foundation

/// Starts request handlers on the MHD thread that received the request and runs them there
/// until they first wait; whatever resumes them later runs on the global executor.
///
/// A handler that answers without waiting (a health check, a validation error) then costs no
/// thread hand-off at all: its response is ready before MHD asks for it, so the connection is
/// never suspended.
final class InlineExecutor: TaskExecutor {
    static let shared = InlineExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        if ServerThread.isCurrent {
            job.runSynchronously(on: asUnownedTaskExecutor())
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }
}

/// Marks the threads libmicrohttpd runs our callbacks on.
enum ServerThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Marks the calling thread; MHD's threads run nothing but MHD and these callbacks.
    static func markCurrent() {
        if pthread_getspecific(key) == nil {
            pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        }
    }

    static var isCurrent: Bool { pthread_getspecific(key) != nil }
}
