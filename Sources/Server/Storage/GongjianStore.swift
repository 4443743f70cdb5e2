/// The storage of a deployment, by concern: one implementation per database (SQLite embedded,
/// PostgreSQL to scale out), each passing the same conformance tests. Code that needs one
/// concern asks for that protocol.
public protocol GongjianStore: DirectoryStore, CertificateStore, FeedStore, AttachmentStore, AuditStore {
  /// Reads from the database, to tell whether it answers (the health probe).
  func ping() async throws
}
