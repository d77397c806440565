import CMicroHTTPD
import CallCoachTelemetry
import Foundation

// The C callbacks MHD calls on its own threads. They live outside `main.swift` on purpose:
// top-level code there is main-actor isolated, and a callback defined there traps when MHD
// calls it from a worker thread.

/// The access handler: called once with the head, then for each body chunk, then once more at the end.
let accessHandler: MHD_AccessHandlerCallback = {
    contextPointer, connection, url, method, _, uploadData, uploadSize, connectionSlot in
    guard let contextPointer, let connection, let url, let method, let uploadSize, let connectionSlot else {
        return .NO
    }
    let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
    ServerThread.markCurrent()
    guard let slot = connectionSlot.pointee else {
        return beginRequest(context, connection, url: url, method: method, slot: connectionSlot)
    }
    let exchange = Unmanaged<Exchange>.fromOpaque(slot).takeUnretainedValue()
    if uploadSize.pointee > 0, let uploadData {
        let bytes = UnsafeRawBufferPointer(start: uploadData, count: uploadSize.pointee)
        uploadSize.pointee = 0
        return exchange.deliver(bytes) == .accepted ? MHD_Result.YES : MHD_Result.NO
    }
    exchange.finishBody()
    guard let response = exchange.responseOrSuspend() else { return .YES }
    return queue(response, on: connection, close: context.isDraining)
}

/// Reads the head, registers the exchange and either rejects the request or starts its handler.
private func beginRequest(
    _ context: ServerContext, _ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
    slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
) -> MHD_Result {
    let started = ContinuousClock.now
    let head = HeadCollector.read(connection, url: url, method: method, scheme: context.scheme)
    let requestID = RequestID.accept(head.headers["X-Request-Id"]) ?? RequestID.generate()
    let exchange = Exchange(
        connection: connection, head: head, requestID: requestID, started: started, statistics: context.bodyStatistics)
    slot.pointee = Unmanaged.passRetained(exchange).toOpaque()
    context.register(exchange)

    let application = context.application
    let body = RequestBody(source: exchange, limit: Router.defaultBodyLimit, declaredLength: head.contentLength)
    let request = Request(
        method: head.method, target: head.target, headers: head.headers, body: body, scheme: head.scheme,
        headBytes: head.headBytes, id: requestID, remoteAddress: head.remoteAddress)
    let resolution = context.isDraining ? .reject(.unavailable, route: nil) : application.resolve(head)
    if case .reject(let error, let route) = resolution {
        let response = application.reject(request, with: error, route: route, started: started)
        // With a body still to come, answer now: MHD then closes the connection instead of
        // reading a body nobody wants. Without one, answer on the next call to keep the connection.
        guard head.hasBody else {
            exchange.complete(with: response)
            return .YES
        }
        exchange.complete(with: response)
        _ = exchange.responseOrSuspend()
        return queue(response, on: connection, close: true)
    }
    Task(executorPreference: InlineExecutor.shared) {
        let response = await application.respond(to: request, resolution: resolution, started: started)
        exchange.complete(with: response)
    }
    return .YES
}

/// Hands a response to MHD.
private func queue(_ response: Response, on connection: OpaquePointer, close: Bool) -> MHD_Result {
    let mhdResponse = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    defer { MHD_destroy_response(mhdResponse) }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    if close { _ = MHD_add_response_header(mhdResponse, "Connection", "close") }
    return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
}

/// Called when MHD is done with a request, whether the response went out or the client left.
let requestCompleted: MHD_RequestCompletedCallback = { contextPointer, _, connectionSlot, _ in
    guard let contextPointer, let connectionSlot, let slot = connectionSlot.pointee else { return }
    let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(slot)
    exchange.takeUnretainedValue().connectionClosed()
    context.unregister(exchange.takeUnretainedValue())
    exchange.release()
    connectionSlot.pointee = nil
}

/// Leaves the path and query undecoded: the router decodes each segment itself, so an encoded
/// slash stays inside its segment and invalid UTF-8 is caught.
let keepEscapes: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int = {
    _, _, text in
    guard let text else { return 0 }
    return strlen(text)
}

/// Turns MHD's own diagnostics into structured log lines. The text is classified, never logged
/// as is, because it can contain client addresses.
let libraryLog: MHD_LogCallback = { contextPointer, format, arguments in
    guard let contextPointer, let format, let arguments else { return }
    let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
    var buffer = [UInt8](repeating: 0, count: 512)
    let written = buffer.withUnsafeMutableBufferPointer { pointer in
        pointer.withMemoryRebound(to: CChar.self) { vsnprintf($0.baseAddress, $0.count, format, arguments) }
    }
    let text = String(decoding: buffer.prefix(max(0, min(Int(written), buffer.count - 1))), as: UTF8.self).lowercased()
    let reason =
        if text.contains("tls") || text.contains("handshake") || text.contains("gnutls") {
            "tls"
        } else if text.contains("timeout") || text.contains("timed out") {
            "timeout"
        } else if text.contains("too big") || text.contains("too large") || text.contains("memory") {
            "too_large"
        } else if text.contains("malformed") || text.contains("invalid") || text.contains("bad request") {
            "malformed"
        } else {
            "other"
        }
    context.application.metrics.increment("callcoach_http_connection_errors_total")
    context.application.logger.info(
        "http.connection.error", "the HTTP library refused or dropped a connection", [.reason: .string(reason)])
}

/// Gathers the request head through MHD's value iterators.
private final class HeadCollector {
    var headers = HTTPHeaders()
    var query: [String] = []
    var bytes = 0

    static func read(
        _ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>, scheme: String
    ) -> RequestHead {
        let collector = HeadCollector()
        withExtendedLifetime(collector) {
            let pointer = Unmanaged.passUnretained(collector).toOpaque()
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, collectHeader, pointer)
            _ = MHD_get_connection_values_n(connection, .GET_ARGUMENT_KIND, collectQueryItem, pointer)
        }
        // A path that is not UTF-8 keeps its bytes visible as escapes, which the router then refuses.
        let rawPath = UnsafeRawBufferPointer(start: url, count: strlen(url))
        let path = String(validating: rawPath, as: UTF8.self) ?? "/%FF"
        let target = collector.query.isEmpty ? path : path + "?" + collector.query.joined(separator: "&")
        return RequestHead(
            method: HTTPMethod(rawValue: String(cString: method)), target: target, headers: collector.headers,
            headBytes: collector.bytes + target.utf8.count, scheme: scheme,
            remoteAddress: callcoach_mhd_client_address(connection).flatMap(numericAddress))
    }
}

private func cText(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
}

private let collectHeader: MHD_KeyValueIteratorN = { pointer, _, key, keySize, value, valueSize in
    guard let pointer, let key else { return .YES }
    let collector = Unmanaged<HeadCollector>.fromOpaque(pointer).takeUnretainedValue()
    collector.headers.add(cText(key, keySize), cText(value, valueSize))
    collector.bytes += keySize + valueSize + 4
    return .YES
}

private let collectQueryItem: MHD_KeyValueIteratorN = { pointer, _, key, keySize, value, valueSize in
    guard let pointer, let key else { return .YES }
    let collector = Unmanaged<HeadCollector>.fromOpaque(pointer).takeUnretainedValue()
    let name = cText(key, keySize)
    collector.query.append(value == nil ? name : name + "=" + cText(value, valueSize))
    return .YES
}

/// The numeric host of a socket address, e.g. `127.0.0.1` or `::1`.
private func numericAddress(_ address: UnsafePointer<sockaddr>) -> String? {
    let length =
        address.pointee.sa_family == sa_family_t(AF_INET6)
        ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
    return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
