internal import Foundation
internal import GRPCCore

/// Turns gRPC status codes and transport failures into sentences an office can act on.
enum ErrorTranslation {
  /// A kind (when the text says more than the status code) and a sentence.
  static func translate(_ error: RPCError) -> (kind: GongjianClientError.Kind?, message: String) {
    let detail = Self.describe(error)
    if let tls = Self.tlsProblem(detail) { return (.auth, tls) }
    let message = error.message
    switch error.code {
    case .invalidArgument: return (nil, "the server refused the input: \(message)")
    case .failedPrecondition: return (nil, "not possible now: \(message)")
    case .outOfRange: return (nil, "out of range: \(message)")
    case .resourceExhausted: return (nil, "too large or too many: \(message)")
    case .notFound: return (nil, "not found: \(message)")
    case .alreadyExists: return (nil, "already exists: \(message)")
    case .permissionDenied: return (nil, "not permitted: \(message)")
    case .unauthenticated: return (nil, "not authenticated: \(message)")
    case .aborted: return (nil, "conflict: \(message)")
    case .deadlineExceeded: return (nil, "the server did not answer in time (deadline exceeded): \(message)")
    case .unavailable: return (nil, Self.unavailable(message: message, detail: detail))
    default: return (nil, "server error (\(error.code)): \(message)")
    }
  }

  /// The error with every cause, as text to search.
  static func describe(_ error: any Error) -> String {
    var text = String(describing: error)
    var next: (any Error)? = (error as? RPCError)?.cause
    var depth = 0
    while let cause = next, depth < 8 {
      text += " | " + String(describing: cause) + " " + String(reflecting: cause)
      next = (cause as? RPCError)?.cause
      depth += 1
    }
    return text
  }

  /// TLS alerts the server sends when it refuses the office's certificate.
  static func tlsProblem(_ detail: String) -> String? {
    let upper = detail.uppercased()
    if upper.contains("CERTIFICATE_REVOKED") {
      return "certificate revoked: the server no longer accepts this office's certificate; ask the deployment's operator for a new one"
    }
    if upper.contains("CERTIFICATE_EXPIRED") {
      return "certificate expired: this office's certificate is past its end date; ask the deployment's operator to renew it"
    }
    if upper.contains("UNKNOWN_CA") || upper.contains("BAD_CERTIFICATE") || upper.contains("CERTIFICATE_UNKNOWN")
      || upper.contains("UNSUPPORTED_CERTIFICATE")
    {
      return "certificate not issued by this deployment: the server does not accept this office's certificate; check --credentials (or the profile) and the server address"
    }
    if upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("UNABLE_TO_GET_ISSUER_CERT") {
      return "the server's certificate is not from this deployment's CA (ca.pem of the credential folder): check the server address"
    }
    if upper.contains("CLOSED THE CONNECTION BEFORE COMPLETING THE HTTP/2 CONNECTION PREFACE") {
      return "the server closed the connection right after the TLS handshake: this office's certificate has most likely been revoked; ask the deployment's operator"
    }
    return nil
  }

  static func unavailable(message: String, detail: String) -> String {
    let lower = detail.lowercased()
    if lower.contains("connection refused") || lower.contains("econnrefused") {
      return "server unreachable: nothing accepts connections at that address (is the server running, is the address right?)"
    }
    if lower.contains("no such host") || lower.contains("name or service not known") || lower.contains("nodename nor servname") {
      return "server unreachable: the host name does not resolve"
    }
    if lower.contains("timed out") || lower.contains("timeout") {
      return "server unreachable: the connection attempt timed out"
    }
    return "server unreachable: \(message)"
  }
}
