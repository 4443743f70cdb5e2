internal import Foundation
public import GongjianProtocol
internal import SwiftProtobuf

/// Council moves made offline: the writes of ``AgendaWorkflow`` (the code the server runs) built
/// from the mirror, ready for the outbox. The server's kind rules still decide, on delivery,
/// whether the office may make them.
public struct CouncilWrites: Sendable {
  public let mirror: Mirror
  public let tenantID: String

  public init(mirror: Mirror, tenantID: String) {
    self.mirror = mirror
    self.tenantID = tenantID
  }

  /// The cause of an error saying that the mirror lacks what a move reads (never synced, or a
  /// record not pulled yet): syncing the tenant may cure it.
  public struct NotInMirror: Error, Sendable {}

  func actor() throws -> AgendaWorkflow.Actor {
    guard let me = try self.mirror.identity() else {
      throw GongjianClientError(.local, "the mirror was never synced: run `gongjian sync` once online", cause: NotInMirror())
    }
    let side = me.memberships.first { $0.tenantID == self.tenantID }?.side ?? me.office.side
    return AgendaWorkflow.Actor(
      officeID: me.office.id, side: side, at: ISO8601DateFormatter().string(from: Date()),
      today: AgendaWorkflow.Actor.day()
    )
  }

  func stored<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, _ id: String, field: String, as type: P.Type) throws -> AgendaWorkflow.Stored<P> {
    guard !id.isEmpty else { throw GongjianClientError(.usage, "\(field): required") }
    guard let record = try self.mirror.record(tenantID: self.tenantID, kind: kind.name, id: id) else {
      throw GongjianClientError(.usage, "\(field): no \(kind.name) \(id) in the mirror of \(self.tenantID) (run `gongjian sync`)", cause: NotInMirror())
    }
    return .init(id: record.id, version: record.version, payload: try P(serializedBytes: record.payload))
  }

  func all<P: SwiftProtobuf.Message & Sendable>(_ kind: RecordKind, as type: P.Type) throws -> [AgendaWorkflow.Stored<P>] {
    try self.mirror.records(tenantID: self.tenantID, kind: kind.name).map { .init(id: $0.id, version: $0.version, payload: try P(serializedBytes: $0.payload)) }
  }

  /// A new meeting, with the council's deferred items moving on to it.
  public func createMeeting(_ request: Gongjian_V1_CreateMeetingRequest) throws -> (meetingID: String, mutations: [Gongjian_V1_Mutation]) {
    let id = RecordID.make()
    let writes = AgendaWorkflow.createMeeting(
      request, meetingID: id, meetings: try self.all(.meeting, as: Gongjian_V1_Meeting.self),
      items: try self.all(.agendaItem, as: Gongjian_V1_AgendaItem.self), actor: try self.actor()
    )
    return (id, try Self.mutations(writes))
  }

  /// A meeting's next status.
  public func setStatus(meetingID: String, status: Gongjian_V1_MeetingStatus) throws -> [Gongjian_V1_Mutation] {
    let meeting = try self.stored(.meeting, meetingID.lowercased(), field: "meeting_id", as: Gongjian_V1_Meeting.self)
    do {
      return try Self.mutations([try AgendaWorkflow.setStatus(meeting, to: status)])
    } catch let refusal as AgendaWorkflow.Refusal {
      throw GongjianClientError(.usage, "\(refusal.field): \(refusal.message)")
    }
  }

  /// A proposal (attachments must already be uploaded).
  public func propose(_ request: Gongjian_V1_ProposeRequest) throws -> [Gongjian_V1_Mutation] {
    let meeting = try self.stored(.meeting, request.meetingID.lowercased(), field: "meeting_id", as: Gongjian_V1_Meeting.self)
    return try Self.mutations(AgendaWorkflow.propose(request, meeting: meeting, itemID: RecordID.make(), actor: try self.actor()))
  }

  /// Accept, defer (moving on to the council's next draft meeting when there is one) or withdraw.
  public func move(_ move: AgendaWorkflow.Move, itemID: String, note: String) throws -> [Gongjian_V1_Mutation] {
    let item = try self.stored(.agendaItem, itemID.lowercased(), field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let meeting = try self.stored(.meeting, item.payload.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let siblings = try self.all(.agendaItem, as: Gongjian_V1_AgendaItem.self).filter { $0.payload.meetingID == meeting.id }
    let next = move == .deferral ? AgendaWorkflow.nextMeeting(after: meeting, among: try self.all(.meeting, as: Gongjian_V1_Meeting.self)) : nil
    let role = try self.mirror.identity()?.memberships.first { $0.tenantID == self.tenantID }?.role ?? .viewer
    let writes: [AgendaWorkflow.Write]
    do {
      writes = try AgendaWorkflow.move(
        move, item: item, meeting: meeting, siblings: siblings, next: next, renumbers: role.includes(.secretariat),
        actor: try self.actor(), note: note
      )
    } catch let refusal as AgendaWorkflow.Refusal {
      throw GongjianClientError(.usage, "\(refusal.field): \(refusal.message)")
    }
    return try Self.mutations(writes)
  }

  /// The accepted items of a meeting in a new order.
  public func order(meetingID: String, itemIDs: [String]) throws -> [Gongjian_V1_Mutation] {
    let meeting = try self.stored(.meeting, meetingID.lowercased(), field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let accepted = try self.all(.agendaItem, as: Gongjian_V1_AgendaItem.self).filter { $0.payload.meetingID == meeting.id && $0.payload.status == .accepted }
    do {
      return try Self.mutations(try AgendaWorkflow.order(itemIDs, meeting: meeting, accepted: accepted, actor: try self.actor()))
    } catch let refusal as AgendaWorkflow.Refusal {
      throw GongjianClientError(.usage, "\(refusal.field): \(refusal.message)")
    }
  }

  /// A decision with its action items.
  public func decide(_ request: Gongjian_V1_DecideRequest) throws -> [Gongjian_V1_Mutation] {
    let item = try self.stored(.agendaItem, request.itemID.lowercased(), field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let meeting = try self.stored(.meeting, item.payload.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    return try Self.mutations(AgendaWorkflow.decide(
      request, item: item, meeting: meeting, decisionID: RecordID.make(),
      actionIDs: request.actions.map { _ in RecordID.make() }
    ))
  }

  /// An action item's status or progress note.
  public func updateAction(actionID: String, status: Gongjian_V1_ActionStatus, note: String) throws -> [Gongjian_V1_Mutation] {
    let action = try self.stored(.actionItem, actionID.lowercased(), field: "action_id", as: Gongjian_V1_ActionItem.self)
    return try Self.mutations([AgendaWorkflow.updateAction(action, status: status, note: note, actor: try self.actor())])
  }

  static func mutations(_ writes: [AgendaWorkflow.Write]) throws -> [Gongjian_V1_Mutation] {
    try writes.map { MutationDocument.mutation(kind: $0.kind.name, id: $0.id, baseVersion: $0.baseVersion, payload: try $0.payload.serializedBytes()) }
  }
}
