internal import Crypto
public import Foundation
public import GongjianProtocol
internal import SwiftProtobuf

/// Signs checkpoints of the audit chains with the server's key, so that a member can prove
/// later what the server stated then.
public struct AuditSigner: Sendable {
  private let key: P256.Signing.PrivateKey
  private let certificatePEM: String

  /// Creates a signer from the server's key pair.
  ///
  /// - Parameters:
  ///   - privateKeyPEM: The server's private key (P-256).
  ///   - certificatePEM: The server's certificate, issued by the deployment's CA.
  public init(privateKeyPEM: String, certificatePEM: String) throws {
    self.key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    self.certificatePEM = certificatePEM
  }

  /// A signed checkpoint of a chain's head.
  public func sign(tenantID: String, count: Int64, head: Data, at date: Date = Date()) throws -> Gongjian_V1_AuditCheckpoint {
    let seconds = Int64(date.timeIntervalSince1970)
    let text = AuditChain.checkpointText(tenantID: tenantID, count: count, head: head, signedAt: seconds)
    let signature = try self.key.signature(for: text)
    return .with {
      $0.tenantID = tenantID
      $0.count = count
      $0.head = head
      $0.signedAt = .init(seconds: seconds, nanos: 0)
      $0.signature = signature.derRepresentation
      $0.signerCertificate = self.certificatePEM
    }
  }
}
