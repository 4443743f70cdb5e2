public import Foundation
public import SwiftProtobuf

/// The council workflow as record writes: what proposing, accepting, deferring, withdrawing,
/// ordering, deciding and updating an action change. The server's Councils service and the
/// client's outbox both build their writes here; the kind rules of the write path decide
/// whether the writer may make them.
public enum AgendaWorkflow {
  /// A record the workflow reads.
  public struct Stored<Payload: Sendable>: Sendable {
    public var id: String
    public var version: UInt64
    public var payload: Payload

    public init(id: String, version: UInt64, payload: Payload) {
      self.id = id
      self.version = version
      self.payload = payload
    }
  }

  /// A write the workflow makes, in order.
  public struct Write: Sendable {
    public var kind: RecordKind
    public var id: String
    public var baseVersion: UInt64
    public var payload: any (SwiftProtobuf.Message & Sendable)
  }

  /// Who acts, and when.
  public struct Actor: Sendable {
    public var officeID: String
    /// The office's side in this partnership.
    public var side: Gongjian_V1_Side
    /// The moment, ISO 8601, for the item's history.
    public var at: String
    /// The day, `YYYY-MM-DD` (Asia/Shanghai), for action progress.
    public var today: String

    /// The council's calendar day (Asia/Shanghai) of a moment, `YYYY-MM-DD`: due dates and
    /// progress notes are days there, wherever the office's machine is.
    public static func day(of date: Date = Date()) -> String {
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
      let c = calendar.dateComponents([.year, .month, .day], from: date)
      return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public init(officeID: String, side: Gongjian_V1_Side, at: String, today: String) {
      self.officeID = officeID
      self.side = side
      self.at = at
      self.today = today
    }
  }

  /// Input the workflow refuses, naming the field.
  public struct Refusal: Error, Sendable {
    public var field: String
    public var message: String
  }

  static func event(_ actor: Actor, _ action: String, _ note: String) -> Gongjian_V1_AgendaEvent {
    .with {
      $0.at = actor.at
      $0.officeID = actor.officeID
      $0.action = action
      $0.note = note
    }
  }

  /// Where an item shows in an agenda: accepted, proposed, deferred, withdrawn; then by order
  /// and feed sequence.
  public static func agendaRank(_ status: Gongjian_V1_AgendaItemStatus) -> Int {
    switch status {
    case .accepted: 0
    case .proposed: 1
    case .deferred: 2
    case .withdrawn: 3
    default: 9
    }
  }

  /// The agenda as readers see it: accepted items numbered 1…n in their order, whatever gaps a
  /// proposer's withdrawal left in the stored positions (the secretariat's next move closes them).
  ///
  /// - Parameter items: The meeting's items, accepted first and in order.
  public static func numbered(_ items: [Gongjian_V1_AgendaItemView]) -> [Gongjian_V1_AgendaItemView] {
    var position: Int32 = 0
    return items.map { view in
      guard view.item.status == .accepted else { return view }
      position += 1
      var numbered = view
      numbered.item.order = position
      return numbered
    }
  }

  /// A new agenda version for a change after publication.
  static func revise(_ meeting: Stored<Gongjian_V1_Meeting>) -> Write {
    var revised = meeting.payload
    revised.agendaVersion += 1
    return Write(kind: .meeting, id: meeting.id, baseVersion: meeting.version, payload: revised)
  }

  /// A new meeting and the council's deferred items moving on to it, as one atomic push.
  ///
  /// - Parameters:
  ///   - request: Council, title, date, place, time, chair, participating units, secretariat.
  ///   - meetingID: The new meeting's id.
  ///   - meetings: The tenant's meetings (to find the council's deferred items).
  ///   - items: The tenant's agenda items.
  ///   - actor: The secretariat.
  public static func createMeeting(
    _ request: Gongjian_V1_CreateMeetingRequest, meetingID: String, meetings: [Stored<Gongjian_V1_Meeting>],
    items: [Stored<Gongjian_V1_AgendaItem>], actor: Actor
  ) -> [Write] {
    let meeting = Gongjian_V1_Meeting.with {
      $0.councilID = request.councilID.lowercased()
      $0.title = request.title
      $0.heldOn = request.heldOn
      $0.place = request.place
      $0.startsAt = request.startsAt
      $0.chair = request.chair
      $0.participatingUnits = request.participatingUnits
      $0.secretariat = request.secretariat
      $0.status = .draft
    }
    var writes = [Write(kind: .meeting, id: meetingID, baseVersion: 0, payload: meeting)]
    let councils = Dictionary(meetings.map { ($0.id, $0.payload.councilID) }, uniquingKeysWith: { first, _ in first })
    for item in items where item.payload.status == .deferred && councils[item.payload.meetingID] == meeting.councilID {
      writes.append(Self.carry(item, to: meetingID, actor: actor))
    }
    return writes
  }

  /// A meeting's next status; publishing the agenda makes it version 1.
  ///
  /// - Throws: ``Refusal`` naming `status` when the meeting already has it.
  public static func setStatus(_ meeting: Stored<Gongjian_V1_Meeting>, to status: Gongjian_V1_MeetingStatus) throws -> Write {
    guard meeting.payload.status != status else {
      throw Refusal(field: "status", message: "the meeting already has this status; nothing changed")
    }
    var updated = meeting.payload
    updated.status = status
    if meeting.payload.status == .draft && status == .agendaPublished { updated.agendaVersion += 1 }
    return Write(kind: .meeting, id: meeting.id, baseVersion: meeting.version, payload: updated)
  }

  /// A proposal: the new item, and a new agenda version if the agenda is published.
  ///
  /// - Parameters:
  ///   - request: Title, summary, responsible units, links and attachments.
  ///   - meeting: The meeting.
  ///   - itemID: The new item's id.
  ///   - actor: The proposing office.
  public static func propose(
    _ request: Gongjian_V1_ProposeRequest, meeting: Stored<Gongjian_V1_Meeting>, itemID: String, actor: Actor
  ) -> [Write] {
    let item = Gongjian_V1_AgendaItem.with {
      $0.meetingID = meeting.id
      $0.title = request.title
      $0.summary = request.summary
      $0.proposingOffice = actor.officeID
      $0.proposingSide = actor.side
      $0.responsibleUnits = request.responsibleUnits
      $0.linkedRecords = request.linkedRecords.map { link in
        .with {
          $0.kind = link.kind
          $0.id = link.id.lowercased()
          $0.tenantID = link.tenantID == request.tenantID ? "" : link.tenantID
        }
      }
      $0.attachments = request.attachments
      $0.decisionSought = request.decisionSought
      $0.status = .proposed
      $0.history = [Self.event(actor, "proposed", "")]
    }
    var writes = [Write(kind: .agendaItem, id: itemID, baseVersion: 0, payload: item)]
    if meeting.payload.status != .draft { writes.append(Self.revise(meeting)) }
    return writes
  }

  /// A move of one item.
  public enum Move: Sendable {
    case accept, deferral, withdraw

    /// The move as the item's history records it.
    public var action: String {
      switch self {
      case .accept: "accepted"
      case .deferral: "deferred"
      case .withdraw: "withdrawn"
      }
    }
  }

  /// One item's move, as the writes of one atomic push: the item; the other accepted items
  /// renumbered so that the agenda stays 1…n (when the actor orders the agenda); the item's move
  /// to the council's next meeting when it is deferred and that meeting exists; and a new agenda
  /// version when the agenda is published.
  ///
  /// - Parameters:
  ///   - move: Accept, defer or withdraw.
  ///   - item: The item.
  ///   - meeting: Its meeting.
  ///   - siblings: The meeting's items.
  ///   - next: The council's next draft meeting, where a deferred item goes.
  ///   - renumbers: Whether the actor may order the agenda (the secretariat).
  ///   - actor: Who moves it.
  ///   - note: For the item's history.
  /// - Throws: ``Refusal`` naming `item_id` when the item is already where the move would put it.
  public static func move(
    _ move: Move, item: Stored<Gongjian_V1_AgendaItem>, meeting: Stored<Gongjian_V1_Meeting>,
    siblings: [Stored<Gongjian_V1_AgendaItem>], next: Stored<Gongjian_V1_Meeting>? = nil, renumbers: Bool = true,
    actor: Actor, note: String
  ) throws -> [Write] {
    let target: Gongjian_V1_AgendaItemStatus = switch move {
    case .accept: .accepted
    case .deferral: .deferred
    case .withdraw: .withdrawn
    }
    let others = siblings.filter { $0.id != item.id && $0.payload.status == .accepted }.sorted { $0.payload.order < $1.payload.order }
    if item.payload.status == target {
      let position = target == .accepted ? " (number \(1 + others.filter { $0.payload.order < item.payload.order }.count) on the agenda)" : ""
      throw Refusal(field: "item_id", message: "the item is already \(move.action)\(position); nothing changed")
    }
    var updated = item.payload
    updated.status = target
    updated.order = target == .accepted ? Int32(others.count + 1) : 0
    updated.history.append(Self.event(actor, move.action, note))
    var writes = [Write(kind: .agendaItem, id: item.id, baseVersion: item.version, payload: updated)]
    if target == .deferred, let next {
      let deferred = Stored(id: item.id, version: item.version + 1, payload: updated)
      writes.append(Self.carry(deferred, to: next.id, actor: actor))
    }
    if renumbers {
      for (position, sibling) in others.enumerated() where sibling.payload.order != Int32(position + 1) {
        var renumbered = sibling.payload
        renumbered.order = Int32(position + 1)
        writes.append(Write(kind: .agendaItem, id: sibling.id, baseVersion: sibling.version, payload: renumbered))
      }
    }
    if meeting.payload.status != .draft { writes.append(Self.revise(meeting)) }
    return writes
  }

  /// The council's next draft meeting after `meeting`, where deferred items go.
  public static func nextMeeting(
    after meeting: Stored<Gongjian_V1_Meeting>, among meetings: [Stored<Gongjian_V1_Meeting>]
  ) -> Stored<Gongjian_V1_Meeting>? {
    meetings
      .filter { $0.payload.councilID == meeting.payload.councilID && $0.payload.heldOn > meeting.payload.heldOn && $0.payload.status == .draft }
      .min { $0.payload.heldOn < $1.payload.heldOn }
  }

  /// A deferred item carried to another meeting, keeping its history.
  public static func carry(_ item: Stored<Gongjian_V1_AgendaItem>, to meetingID: String, actor: Actor) -> Write {
    var moved = item.payload
    moved.deferredFromMeetingID = item.payload.meetingID
    moved.meetingID = meetingID
    moved.status = .proposed
    moved.order = 0
    moved.history.append(Self.event(actor, "moved", "deferred from meeting \(item.payload.meetingID)"))
    return Write(kind: .agendaItem, id: item.id, baseVersion: item.version, payload: moved)
  }

  /// The accepted items in a new order.
  ///
  /// - Throws: ``Refusal`` naming `item_ids` unless every accepted item is listed once.
  public static func order(
    _ itemIDs: [String], meeting: Stored<Gongjian_V1_Meeting>, accepted: [Stored<Gongjian_V1_AgendaItem>], actor: Actor
  ) throws -> [Write] {
    let wanted = itemIDs.map { $0.lowercased() }
    guard Set(wanted) == Set(accepted.map(\.id)), wanted.count == accepted.count else {
      throw Refusal(field: "item_ids", message: "list every accepted item of the meeting once: \(accepted.map(\.id).joined(separator: ", "))")
    }
    var writes: [Write] = []
    for (position, id) in wanted.enumerated() {
      let entry = accepted.first { $0.id == id }!
      guard entry.payload.order != Int32(position + 1) else { continue }
      var item = entry.payload
      item.order = Int32(position + 1)
      item.history.append(Self.event(actor, "reordered", "position \(position + 1)"))
      writes.append(Write(kind: .agendaItem, id: id, baseVersion: entry.version, payload: item))
    }
    if !writes.isEmpty, meeting.payload.status != .draft { writes.append(Self.revise(meeting)) }
    return writes
  }

  /// A decision and its action items.
  ///
  /// - Parameters:
  ///   - request: Text, date and actions.
  ///   - item: The agenda item decided.
  ///   - meeting: Its meeting.
  ///   - decisionID: The decision's id.
  ///   - actionIDs: One id per action of the request.
  public static func decide(
    _ request: Gongjian_V1_DecideRequest, item: Stored<Gongjian_V1_AgendaItem>, meeting: Stored<Gongjian_V1_Meeting>,
    decisionID: String, actionIDs: [String]
  ) -> [Write] {
    let decision = Gongjian_V1_Decision.with {
      $0.meetingID = item.payload.meetingID
      $0.agendaItemID = item.id
      $0.text = request.text
      $0.decidedOn = request.decidedOn.isEmpty ? meeting.payload.heldOn : request.decidedOn
    }
    var writes = [Write(kind: .decision, id: decisionID, baseVersion: 0, payload: decision)]
    for (action, id) in zip(request.actions, actionIDs) {
      writes.append(Write(
        kind: .actionItem, id: id, baseVersion: 0,
        payload: Gongjian_V1_ActionItem.with {
          $0.decisionID = decisionID
          $0.meetingID = item.payload.meetingID
          $0.councilID = meeting.payload.councilID
          $0.title = action.title
          $0.ownerUnit = action.ownerUnit
          $0.dueOn = action.dueOn
          $0.status = .open
        }
      ))
    }
    return writes
  }

  /// An action item's new status and progress note.
  public static func updateAction(
    _ action: Stored<Gongjian_V1_ActionItem>, status: Gongjian_V1_ActionStatus, note: String, actor: Actor
  ) -> Write {
    var updated = action.payload
    if status != .unspecified { updated.status = status }
    if !note.isEmpty {
      updated.progress.append(.with {
        $0.on = actor.today
        $0.officeID = actor.officeID
        $0.note = note
      })
    }
    return Write(kind: .actionItem, id: action.id, baseVersion: action.version, payload: updated)
  }
}
