/// Chooses how mail leaves the server.
enum MailTransports {
    static func make(_ configuration: Configuration) throws -> any MailTransport {
        guard let url = configuration.smtpURL else {
            return FileTransport(directory: configuration.dataDirectory + "/outbox")
        }
        return try SMTPTransport(
            url: url, username: configuration.smtpUsername, password: configuration.smtpPassword?.value,
            hostName: "callcoach", caFile: configuration.smtpCAFile)
    }
}
