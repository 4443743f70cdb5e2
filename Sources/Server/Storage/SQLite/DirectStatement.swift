internal import Foundation
internal import GRDB
internal import GRDBSQLite

/// One of the connection's cached statements, bound and stepped straight through SQLite's C API.
///
/// The write path runs about seven statements per pushed record; GRDB's `StatementArguments`
/// (an array of boxed values per execution, converted again to bind) was a tenth of the server's
/// CPU in a profile of pushes of 100 records. Values are bound by position with SQLite copying
/// them (`SQLITE_TRANSIENT`), so nothing outlives the call that binds it.
///
/// The statement is reset when taken and after the step that ends it or fails, so it can be bound
/// again, and GRDB (which resets before it binds) can share the cached statement. Callers step
/// each query to its end.
struct DirectStatement {
  private let statement: Statement
  private let handle: OpaquePointer
  private let connection: OpaquePointer?

  init(_ db: Database, sql: String) throws {
    self.statement = try db.cachedStatement(sql: sql)
    self.handle = self.statement.sqliteStatement
    self.connection = db.sqliteConnection
    sqlite3_reset(self.handle)
    sqlite3_clear_bindings(self.handle)
  }

  // MARK: Binding (1-based, as SQLite counts)

  func bind(_ index: CInt, _ value: String) {
    var value = value
    value.withUTF8 { bytes in
      bytes.withMemoryRebound(to: CChar.self) { text in
        // An empty string has no base address; SQLite reads no byte of it.
        _ = sqlite3_bind_text(self.handle, index, text.baseAddress ?? UnsafePointer(bitPattern: 1), CInt(text.count), Self.transient)
      }
    }
  }

  func bind(_ index: CInt, _ value: String?) {
    if let value { self.bind(index, value) } else { sqlite3_bind_null(self.handle, index) }
  }

  func bind(_ index: CInt, _ value: Int64) {
    sqlite3_bind_int64(self.handle, index, value)
  }

  func bind(_ index: CInt, _ value: Bool) {
    sqlite3_bind_int64(self.handle, index, value ? 1 : 0)
  }

  func bind(_ index: CInt, _ value: Double) {
    sqlite3_bind_double(self.handle, index, value)
  }

  func bind(_ index: CInt, _ value: Data) {
    value.withUnsafeBytes { bytes in
      // A zero-length blob still binds as a blob, not NULL (the columns are NOT NULL).
      _ = sqlite3_bind_blob(self.handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), CInt(bytes.count), Self.transient)
    }
  }

  // MARK: Stepping

  /// Steps once: true with a row to read, false when the statement is done (and reset).
  func step() throws -> Bool {
    switch sqlite3_step(self.handle) {
    case SQLITE_ROW:
      return true
    case SQLITE_DONE:
      sqlite3_reset(self.handle)
      return false
    case let code:
      let message = self.connection.map { String(cString: sqlite3_errmsg($0)) }
      sqlite3_reset(self.handle)
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: self.statement.sql)
    }
  }

  /// The first row read by `row`, or nil when there is none; the statement is run to its end.
  func first<Value>(_ row: (Self) -> Value) throws -> Value? {
    guard try self.step() else { return nil }
    let value = row(self)
    while try self.step() {}
    return value
  }

  /// Runs a statement that returns no rows.
  func execute() throws {
    while try self.step() {}
  }

  // MARK: Columns of the current row (0-based)

  func isNull(_ column: CInt) -> Bool {
    sqlite3_column_type(self.handle, column) == SQLITE_NULL
  }

  func string(_ column: CInt) -> String {
    String(decoding: self.text(column), as: UTF8.self)
  }

  func data(_ column: CInt) -> Data {
    Data(self.blob(column))
  }

  /// A text column's UTF-8 bytes, valid until the statement steps on.
  func text(_ column: CInt) -> UnsafeRawBufferPointer {
    // The pointer first, then its length, as SQLite asks.
    guard let pointer = sqlite3_column_text(self.handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(self.handle, column)))
  }

  /// A blob column's bytes, valid until the statement steps on.
  func blob(_ column: CInt) -> UnsafeRawBufferPointer {
    guard let pointer = sqlite3_column_blob(self.handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(self.handle, column)))
  }

  func int64(_ column: CInt) -> Int64 {
    sqlite3_column_int64(self.handle, column)
  }

  func double(_ column: CInt) -> Double {
    sqlite3_column_double(self.handle, column)
  }

  /// SQLite's `SQLITE_TRANSIENT`: it copies the value before the bind returns.
  private static var transient: sqlite3_destructor_type {
    unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
  }
}
