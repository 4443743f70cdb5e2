public import Foundation
public import GongjianProtocol
public import GRPCCore

/// The authenticated office behind an RPC.
///
/// The authentication interceptor puts it in `ServerContext.transportSpecific`, where it stays
/// visible to streaming handlers (a task-local would not be).
public struct Caller: ServerContext.TransportSpecific, Sendable {
  /// The calling office as registered.
  public var office: Gongjian_V1_Office
  /// Hex serial of the certificate it presented (empty when authenticated otherwise, e.g. in tests).
  public var certificateSerial: String
  /// End of the certificate's validity, if known.
  public var certificateNotAfter: Date?

  /// Creates a caller.
  public init(office: Gongjian_V1_Office, certificateSerial: String, certificateNotAfter: Date? = nil) {
    self.office = office
    self.certificateSerial = certificateSerial
    self.certificateNotAfter = certificateNotAfter
  }
}

extension ServerContext {
  /// The authenticated caller.
  ///
  /// - Throws: `UNAUTHENTICATED` when no interceptor established one.
  public var caller: Caller {
    get throws {
      guard let caller = self.transportSpecific as? Caller else {
        throw GongjianError(.unauthenticated, "the call carries no authenticated office")
      }
      return caller
    }
  }
}
