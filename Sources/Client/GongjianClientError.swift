internal import Foundation
public import GRPCCore

/// Errors of the client library: a kind (what the caller can do about it), a sentence a person
/// can act on, and the underlying cause.
public struct GongjianClientError: Error, Sendable, CustomStringConvertible {
  /// What kind of failure.
  public struct Kind: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Wrapped: String, Sendable, Hashable { case usage, auth, conflict, rejected, connection, server, local }
    fileprivate let wrapped: Wrapped

    /// Bad arguments or input.
    public static let usage = Kind(wrapped: .usage)
    /// Not authenticated or not permitted (including certificates the server refuses).
    public static let auth = Kind(wrapped: .auth)
    /// A mutation conflicted with the server's version.
    public static let conflict = Kind(wrapped: .conflict)
    /// The server rejected input.
    public static let rejected = Kind(wrapped: .rejected)
    /// The server could not be reached.
    public static let connection = Kind(wrapped: .connection)
    /// Any other server error.
    public static let server = Kind(wrapped: .server)
    /// The local mirror or a local file failed.
    public static let local = Kind(wrapped: .local)

    public var description: String { self.wrapped.rawValue }
  }

  /// What kind of failure.
  public var kind: Kind
  /// A sentence naming what failed and, where it helps, what to do.
  public var message: String
  /// The gRPC status code, when the server (or the transport) answered with one.
  public var code: RPCError.Code?
  /// The error this one was made from.
  public var cause: (any Error)?

  /// Creates an error.
  public init(_ kind: Kind, _ message: String, code: RPCError.Code? = nil, cause: (any Error)? = nil) {
    self.kind = kind
    self.message = message
    self.code = code
    self.cause = cause
  }

  /// Classifies an RPC error and says it in a sentence (see ``ErrorTranslation``).
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
    let translated = ErrorTranslation.translate(error)
    self.init(translated.kind ?? kind, translated.message, code: error.code, cause: error)
  }

  public var description: String { self.message }
}
