import ArgumentParser
import Foundation
import GongjianClient
import Synchronization

/// `gongjian sync`.
struct Sync: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Deliver queued writes and bring the local mirror up to date (all your tenants, or one).",
    discussion: """
      Pushes the outbox (retrying with the same mutation ids, so nothing is applied twice),
      pulls every change since the mirror's cursor, and checks the mirror's checksum against the
      server's; a mismatch or a compacted cursor refetches the tenant. With --watch it then
      follows the live feed and keeps delivering writes queued meanwhile, across server restarts.

      Examples:
        gongjian sync
        gongjian sync --tenant sip-suqian --watch
      """
  ).exits(.usage, .rejected, .conflict, .unreachable, .server, .local, .auth, note: "65, 77 and 67 when writes delivered in this run were refused for their data, for permission, or conflicted")

  @OptionGroup var connection: ConnectionOptions

  @Option(help: "Only this tenant (default: every tenant you belong to or have in the mirror).")
  var tenant: String?

  @Flag(help: "Keep following the live feed after catching up (Ctrl-C to stop).")
  var watch = false

  func run() async throws {
    try await self.connection.run {
      let mirror = try self.connection.mirror()
      let synchronizer = Synchronizer(mirror: mirror)
      let display = ProgressDisplay(json: self.connection.json)
      do {
        try await self.connection.connect { client in
          let me = try await client.whoAmI()
          // Council moves and offline packets need the office, its memberships and partners.
          try mirror.saveDirectory(identity: me)
          // Every tenant the office may read (overseers read all), and any the mirror has queued writes for.
          let readable = (try? await client.tenants().map(\.id)) ?? me.memberships.map(\.tenantID)
          let tenants = try self.tenant.map { [$0] } ?? Array(Set(readable).union(try mirror.tenantsWithWrites())).sorted()
          if self.watch {
            try await synchronizer.watch(client: client, tenantIDs: tenants, officeID: me.office.id) { display.show($0) }
            return
          }
          let reports = try await synchronizer.sync(client: client, tenantIDs: tenants, officeID: me.office.id) { display.show($0) }
          display.finish()
          // After the pull, so that the figures count at least what the mirror now holds.
          do {
            try mirror.saveSummary(try await client.offlineSummary())
          } catch let error as GongjianClientError where error.kind != .local {
            printError("gongjian: no figures for offline reports from the server (\(error.message)); offline reports keep the previous ones")
          }
          try self.summarize(reports, mirror: mirror)
        }
      } catch let error as GongjianClientError where error.kind == .connection {
        display.finish()
        let pending = try mirror.status().reduce(0) { $0 + $1.pending }
        throw GongjianClientError(.connection, "\(error.message); \(pending) queued writes stay in the outbox", cause: error)
      } catch {
        display.finish()
        throw error
      }
    }
  }

  private func summarize(_ reports: [Synchronizer.Report], mirror: Mirror) throws {
    let statuses = Dictionary(uniqueKeysWithValues: try mirror.status().map { ($0.tenantID, $0) })
    var mismatched = false
    var refused = false
    for report in reports {
      if let reason = report.refused {
        refused = true
        if self.connection.json {
          printJSON(["tenant_id": report.tenantID, "refused": reason])
        } else {
          printLine("\(report.tenantID): \(reason)")
        }
        continue
      }
      let status = statuses[report.tenantID]
      let verified: String
      switch report.verification {
      case .matched: verified = "checksum verified"
      case .mismatch: verified = "CHECKSUM MISMATCH after a refetch"; mismatched = true
      case .notYet: verified = "not verified"
      }
      if self.connection.json {
        printJSON(SyncLine(
          tenant_id: report.tenantID, pushed: report.pushed.applied, conflicts: report.pushed.conflicts,
          rejected: report.pushed.rejected, warnings: report.pushed.warnings.map { "\($0.kind) \($0.recordID): \($0.field): \($0.description)" },
          pulled: report.pulled, cursor: status?.cursor ?? 0,
          verified: report.verification == .matched, refetched: report.refetched ?? "", pending: status?.pending ?? 0
        ))
      } else {
        var line = "\(report.tenantID): pushed \(group(report.pushed.applied)), pulled \(group(report.pulled)), at sequence \(group(status?.cursor ?? 0)), \(verified)"
        if report.pushed.conflicts > 0 { line += "; \(report.pushed.conflicts) conflicts" }
        if report.pushed.rejected > 0 { line += "; \(report.pushed.rejected) rejected" }
        if let reason = report.refetched { line += " (refetched: \(reason))" }
        printLine(line)
      }
      for warning in report.pushed.warnings {
        printError("warning: \(report.tenantID) \(warning.kind) \(warning.recordID): \(warning.field): \(warning.description)")
      }
    }
    let open = try mirror.unresolved().count
    if open > 0, !self.connection.json {
      printError("gongjian: \(open) writes need you: see `gongjian conflicts`")
    }
    if mismatched {
      throw GongjianClientError(.server, "the mirror still differs from the server after a refetch; `gongjian status` shows which tenant")
    }
    if refused {
      throw GongjianClientError(.auth, "the server refused some tenants (above); the others are synced")
    }
    // Writes refused in this run exit as `submit --wait` does: 77 for permission, 65 for the
    // data, 67 for a conflict (the highest when several).
    let pushed = reports.reduce(into: PushTally()) { $0.add($1.pushed) }
    var outcomes: [ExitStatus] = []
    if pushed.denied > 0 { outcomes.append(.auth) }
    if pushed.rejected > pushed.denied { outcomes.append(.rejected) }
    if pushed.conflicts > 0 { outcomes.append(.conflict) }
    if let worst = outcomes.max(by: { $0.rawValue < $1.rawValue }) { throw worst.exitCode }
  }

  struct SyncLine: Encodable {
    var tenant_id: String
    var pushed: Int
    var conflicts: Int
    var rejected: Int
    var warnings: [String]
    var pulled: Int
    var cursor: UInt64
    var verified: Bool
    var refetched: String
    var pending: Int
  }
}

/// The live progress line (records pulled and pushed, rate, remaining by head sequence, ETA),
/// drawn in place on stderr only when it is a terminal and never with `--json`, and cleared
/// before the summary. Elsewhere `sync --watch` says only when a tenant goes live or waits to
/// reconnect, once per change.
final class ProgressDisplay: Sendable {
  private let terminal: Bool
  private let json: Bool
  /// When the line was last drawn, whether one is on screen, and each tenant's last said state.
  private let state = Mutex<(drawnAt: ContinuousClock.Instant, onScreen: Bool, said: [String: Synchronizer.Progress.Phase])>(
    (.now - .seconds(10), false, [:])
  )

  init(json: Bool, terminal: Bool = isatty(STDERR_FILENO) == 1) {
    self.json = json
    self.terminal = terminal
  }

  func show(_ progress: Synchronizer.Progress) {
    guard !self.json, progress.phase != .pushing || progress.pushed > 0 else { return }
    let now = ContinuousClock.now
    guard self.terminal else {
      // A log, not a display: the watch's state changes only.
      switch progress.phase {
      case .live, .waiting:
        let changed = self.state.withLock { state in
          defer { state.said[progress.tenantID] = progress.phase }
          return state.said[progress.tenantID] != progress.phase
        }
        if changed { printError(Self.describe(progress, now: now)) }
      default:
        break
      }
      return
    }
    let due = self.state.withLock { state -> Bool in
      guard now - state.drawnAt >= .milliseconds(100) || progress.phase == .caughtUp else { return false }
      state.drawnAt = now
      state.onScreen = true
      return true
    }
    guard due else { return }
    try? FileHandle.standardError.write(contentsOf: Data(("\r\u{1B}[K" + Self.describe(progress, now: now)).utf8))
  }

  /// Clears the line, before the summary or an error is printed.
  func finish() {
    guard self.terminal, !self.json, self.state.withLock({ state in defer { state.onScreen = false }; return state.onScreen }) else { return }
    try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8))
  }

  static func describe(_ progress: Synchronizer.Progress, now: ContinuousClock.Instant) -> String {
    let seconds = max(0.001, Double((now - progress.started).components.attoseconds) / 1e18 + Double((now - progress.started).components.seconds))
    let rate = Double(progress.pulled) / seconds
    let remaining = progress.head > progress.cursor ? progress.head - progress.cursor : 0
    switch progress.phase {
    case .pushing:
      return "\(progress.tenantID)  pushing  ↑ \(group(progress.pushed))"
    case .pulling:
      let eta = rate > 0 && remaining > 0 ? "  ETA \(Self.duration(Double(remaining) / rate))" : ""
      return "\(progress.tenantID)  pulling  ↓ \(group(progress.pulled))  \(group(Int(rate)))/s  sequence \(group(progress.cursor)) of \(group(progress.head)), \(group(remaining)) to go\(eta)"
    case .caughtUp:
      return "\(progress.tenantID)  up to date at sequence \(group(progress.cursor))  ↓ \(group(progress.pulled))  ↑ \(group(progress.pushed))  in \(Self.duration(seconds))"
    case .live:
      return "\(progress.tenantID)  live at sequence \(group(progress.cursor))"
    case .waiting(let reason):
      return "\(progress.tenantID)  waiting to reconnect: \(reason)"
    }
  }

  static func duration(_ seconds: Double) -> String {
    seconds < 60 ? String(format: "%.1fs", seconds) : "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
  }
}

/// 1234567 → "1,234,567".
func group(_ value: some BinaryInteger) -> String {
  let digits = String(value)
  var out = ""
  for (index, character) in digits.reversed().enumerated() {
    if index > 0, index % 3 == 0, character != "-" { out.append(",") }
    out.append(character)
  }
  return String(out.reversed())
}
