public import GRPCCore
internal import GRPCProtobuf

/// The error every layer of the server throws: a code that maps to a gRPC status, a message
/// for people, and field violations that travel as `google.rpc.BadRequest` details.
public struct GongjianError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong, in terms a gRPC client understands.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Wrapped: Sendable, Hashable {
      case invalidArgument, notFound, alreadyExists, permissionDenied, unauthenticated
      case failedPrecondition, resourceExhausted, aborted, unavailable, internalError
    }

    fileprivate let wrapped: Wrapped

    private init(wrapped: Wrapped) {
      self.wrapped = wrapped
    }

    /// A request field is missing or malformed.
    public static let invalidArgument = Code(wrapped: .invalidArgument)
    /// The named entity does not exist (only where revealing that leaks nothing).
    public static let notFound = Code(wrapped: .notFound)
    /// The entity to be created exists already.
    public static let alreadyExists = Code(wrapped: .alreadyExists)
    /// The caller is known but lacks the needed role.
    public static let permissionDenied = Code(wrapped: .permissionDenied)
    /// The caller could not be identified.
    public static let unauthenticated = Code(wrapped: .unauthenticated)
    /// The system is not in the state the request needs.
    public static let failedPrecondition = Code(wrapped: .failedPrecondition)
    /// A limit was exceeded.
    public static let resourceExhausted = Code(wrapped: .resourceExhausted)
    /// A concurrent change got in the way; retrying may succeed.
    public static let aborted = Code(wrapped: .aborted)
    /// The server is shutting down or a dependency is unreachable.
    public static let unavailable = Code(wrapped: .unavailable)
    /// A bug or a storage failure.
    public static let internalError = Code(wrapped: .internalError)

    /// The gRPC status code.
    public var rpcCode: RPCError.Code {
      switch self.wrapped {
      case .invalidArgument: .invalidArgument
      case .notFound: .notFound
      case .alreadyExists: .alreadyExists
      case .permissionDenied: .permissionDenied
      case .unauthenticated: .unauthenticated
      case .failedPrecondition: .failedPrecondition
      case .resourceExhausted: .resourceExhausted
      case .aborted: .aborted
      case .unavailable: .unavailable
      case .internalError: .internalError
      }
    }

    public var description: String { String(describing: self.rpcCode) }

    /// The status as a mutation's answer carries it (`MutationResult.Rejected.code`).
    public var status: Int32 { Int32(self.rpcCode.rawValue) }

    /// The code of a status a mutation's answer carries; nil for one this layer never makes.
    public init?(status: Int32) {
      let all: [Code] = [
        .invalidArgument, .notFound, .alreadyExists, .permissionDenied, .unauthenticated, .failedPrecondition,
        .resourceExhausted, .aborted, .unavailable, .internalError,
      ]
      guard let code = all.first(where: { $0.status == status }) else { return nil }
      self = code
    }
  }

  /// A field that failed validation.
  public struct FieldViolation: Sendable, Hashable {
    /// The field's path, e.g. `mutations[0].payload.name`.
    public var field: String
    /// What is wrong with it.
    public var description: String

    /// Creates a violation.
    ///
    /// - Parameters:
    ///   - field: The field's path.
    ///   - description: What is wrong with it.
    public init(field: String, description: String) {
      self.field = field
      self.description = description
    }
  }

  /// The error's code.
  public var code: Code
  /// A message for people.
  public var message: String
  /// Field violations, for `invalidArgument`.
  public var violations: [FieldViolation]
  /// When a retry may succeed (over quota, the database away), sent as `google.rpc.RetryInfo`.
  public var retryAfter: Duration?
  /// The error this one says in the layer's terms (a database driver's, for instance), for logs.
  public var cause: (any Error)?

  /// Creates an error.
  ///
  /// - Parameters:
  ///   - code: The error's code.
  ///   - message: A message for people.
  ///   - violations: Field violations.
  ///   - cause: The error this one was made from.
  public init(_ code: Code, _ message: String, violations: [FieldViolation] = [], cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.violations = violations
    self.cause = cause
  }

  /// Equal when they say the same (the cause aside).
  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.code == rhs.code && lhs.message == rhs.message && lhs.violations == rhs.violations && lhs.retryAfter == rhs.retryAfter
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(self.code)
    hasher.combine(self.message)
    hasher.combine(self.violations)
    hasher.combine(self.retryAfter)
  }

  /// An `invalidArgument` error for one field; the message names it.
  ///
  /// - Parameters:
  ///   - field: The field's path.
  ///   - description: What is wrong with it.
  public static func invalidField(_ field: String, _ description: String) -> GongjianError {
    GongjianError(.invalidArgument, "\(field): \(description)", violations: [FieldViolation(field: field, description: description)])
  }

  /// An `invalidArgument` error listing violations; the message names every field.
  ///
  /// - Parameters:
  ///   - violations: At least one violation.
  ///   - context: What was being validated.
  public static func invalid(_ violations: [FieldViolation], in context: String = "request") -> GongjianError {
    let list = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    return GongjianError(.invalidArgument, "invalid \(context): \(list)", violations: violations)
  }

  public var description: String { "\(self.code): \(self.message)" }
}

extension GongjianError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code { self.code.rpcCode }
  public var rpcErrorMessage: String { self.message }
  public var rpcErrorMetadata: Metadata {
    var details: [ErrorDetails] = []
    if !self.violations.isEmpty {
      details.append(.badRequest(violations: self.violations.map { .init(field: $0.field, description: $0.description) }))
    }
    if let retryAfter = self.retryAfter { details.append(.retryInfo(delay: retryAfter)) }
    guard !details.isEmpty else { return [:] }
    return GoogleRPCStatus(code: self.code.rpcCode, message: self.message, details: details).rpcErrorMetadata
  }
}
