internal import Foundation
public import GongjianProtocol
internal import Crypto
internal import SwiftProtobuf
internal import X509

/// Verifies a tenant's audit trail as an office sees it: recomputes the chain from its entries,
/// and checks every checkpoint the server signed (its signature, its signer's certificate against
/// the office's pinned CA, and that the chain still ends where the checkpoint said it did).
public struct AuditVerification: Sendable {
  /// What a verification found.
  public struct Report: Sendable {
    public var tenantID: String
    public var entries: Int
    /// The first break of the chain, if any.
    public var chainBreak: AuditChain.Break?
    /// Checkpoints whose signature or signer failed, or that the chain no longer matches.
    public var badCheckpoints: [String]
    public var checkpointsVerified: Int

    public var intact: Bool { self.chainBreak == nil && self.badCheckpoints.isEmpty }
  }

  private let caPEM: String

  /// - Parameter caPEM: The deployment's CA certificate that the office pins.
  public init(caPEM: String) {
    self.caPEM = caPEM
  }

  /// Checks `entries` (the whole chain, in order) and `checkpoints`.
  public func verify(tenantID: String, entries: [Gongjian_V1_AuditEntry], checkpoints: [Gongjian_V1_AuditCheckpoint]) -> Report {
    var report = Report(tenantID: tenantID, entries: entries.count, chainBreak: AuditChain.firstBreak(entries), badCheckpoints: [], checkpointsVerified: 0)
    let ca = try? Certificate(pemEncoded: self.caPEM)
    for checkpoint in checkpoints {
      let label = "checkpoint of entry \(checkpoint.count) signed at \(checkpoint.signedAt.seconds)"
      guard let ca, let signer = try? Certificate(pemEncoded: checkpoint.signerCertificate),
        ca.publicKey.isValidSignature(signer.signature, for: signer)
      else {
        report.badCheckpoints.append("\(label): its signer is not a certificate of this deployment's CA")
        continue
      }
      let text = AuditChain.checkpointText(
        tenantID: checkpoint.tenantID, count: checkpoint.count, head: checkpoint.head, signedAt: checkpoint.signedAt.seconds
      )
      guard checkpoint.tenantID == tenantID, let key = P256.Signing.PublicKey(signer.publicKey),
        let signature = try? P256.Signing.ECDSASignature(derRepresentation: checkpoint.signature),
        key.isValidSignature(signature, for: text)
      else {
        report.badCheckpoints.append("\(label): the signature does not verify")
        continue
      }
      let index = Int(checkpoint.count) - 1
      guard checkpoint.count == 0 || (index < entries.count && entries[index].hash == checkpoint.head) else {
        report.badCheckpoints.append("\(label): the chain no longer ends there with the signed hash (history rewritten?)")
        continue
      }
      report.checkpointsVerified += 1
    }
    return report
  }
}
