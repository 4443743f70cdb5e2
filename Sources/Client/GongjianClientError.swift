public import GRPCCore

/// Errors of the client library, each with a kind that the CLI maps to an exit code.
public struct GongjianClientError: Error, Sendable, CustomStringConvertible {
  /// What kind of failure.
  public struct Kind: Sendable, Hashable {
    fileprivate enum Wrapped: Sendable, Hashable { case usage, auth, conflict, rejected, connection, server }
    fileprivate let wrapped: Wrapped

    /// Bad arguments or input.
    public static let usage = Kind(wrapped: .usage)
    /// Not authenticated or not permitted.
    public static let auth = Kind(wrapped: .auth)
    /// A mutation conflicted with the server's version.
    public static let conflict = Kind(wrapped: .conflict)
    /// The server rejected input.
    public static let rejected = Kind(wrapped: .rejected)
    /// The server could not be reached.
    public static let connection = Kind(wrapped: .connection)
    /// Any other server error.
    public static let server = Kind(wrapped: .server)

    /// The process exit code for this kind: usage 64, rejected 65, conflict 67, connection 69,
    /// server 70, auth 77.
    public var exitCode: Int32 {
      switch self.wrapped {
      case .usage: 64
      case .rejected: 65
      case .conflict: 67
      case .connection: 69
      case .server: 70
      case .auth: 77
      }
    }
  }

  public var kind: Kind
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  /// Classifies an RPC error.
  ///
  /// - Parameter error: An error from a call.
  public init(_ error: RPCError) {
    let kind: Kind
    switch error.code {
    case .unauthenticated, .permissionDenied: kind = .auth
    case .invalidArgument, .failedPrecondition, .outOfRange, .resourceExhausted, .notFound, .alreadyExists: kind = .rejected
    case .aborted: kind = .conflict
    case .unavailable, .deadlineExceeded: kind = .connection
    default: kind = .server
    }
    self.init(kind, "\(error.code): \(error.message)")
  }

  public var description: String { self.message }
}
