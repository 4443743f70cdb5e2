public import Foundation

/// Attachment contents (meeting documents), kept once per tenant and SHA-256.
public protocol AttachmentStore: Sendable {
  /// Stores an attachment's content once per tenant and SHA-256 (idempotent).
  func putAttachment(tenantID: String, sha256: String, contentType: String, content: Data) async throws
  /// An attachment's content type and bytes.
  func attachment(tenantID: String, sha256: String) async throws -> (contentType: String, content: Data)?
}
