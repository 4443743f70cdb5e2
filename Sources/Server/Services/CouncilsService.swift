internal import Crypto
internal import Foundation
public import GongjianProtocol
public import GRPCCore
internal import SwiftProtobuf

/// `gongjian.v1.Councils`: meeting preparation. Each call is a thin layer over the sync engine's
/// write path, where the workflow rules of the council kinds live; both sides see every change
/// on the tenant's change feed as it commits.
public struct CouncilsService: Gongjian_V1_Councils.SimpleServiceProtocol {
  private let store: any GongjianStore
  private let authorizer: Authorizer
  private let writer: TypedWriter
  private let cityTenant: String
  private let maxAttachmentBytes: Int
  private let ranges: PlausibleRanges

  /// Creates the service.
  public init(
    engine: SyncEngine, store: any GongjianStore, authorizer: Authorizer, cityTenant: String, maxAttachmentBytes: Int,
    ranges: PlausibleRanges = .defaults
  ) {
    self.ranges = ranges
    self.store = store
    self.authorizer = authorizer
    self.writer = TypedWriter(engine: engine, store: store)
    self.cityTenant = cityTenant
    self.maxAttachmentBytes = maxAttachmentBytes
  }

  // MARK: Reading helpers

  private func all<P: SwiftProtobuf.Message>(_ kind: RecordKind, _ tenantID: String, as type: P.Type) async throws -> [(record: StoredRecord, payload: P)] {
    try await self.store.liveRecords(tenantID: tenantID, kind: kind.name).map { ($0, try P(serializedBytes: $0.payload)) }
  }

  private func one<P: SwiftProtobuf.Message>(_ kind: RecordKind, _ tenantID: String, _ id: String, field: String, as type: P.Type) async throws -> (record: StoredRecord, payload: P) {
    guard !id.isEmpty else { throw GongjianError.invalidField(field, "required") }
    guard let record = try await self.store.record(tenantID: tenantID, kind: kind.name, id: id.lowercased()), !record.deleted else {
      throw GongjianError(.notFound, "\(field): no \(kind.name) \(id) in tenant \(tenantID)")
    }
    return (record, try P(serializedBytes: record.payload))
  }

  private func meetingView(_ record: StoredRecord, _ meeting: Gongjian_V1_Meeting, tenantID: String) async throws -> Gongjian_V1_MeetingView {
    let council = try? await self.one(.council, tenantID, meeting.councilID, field: "council_id", as: Gongjian_V1_Council.self)
    return Self.meetingView(record, meeting, councilName: council?.payload.name ?? "")
  }

  private static func meetingView(_ record: StoredRecord, _ meeting: Gongjian_V1_Meeting, councilName: String) -> Gongjian_V1_MeetingView {
    .with {
      $0.id = record.id
      $0.version = record.version
      $0.meeting = meeting
      $0.councilName = councilName
    }
  }

  private static func itemView(_ record: StoredRecord, _ item: Gongjian_V1_AgendaItem) -> Gongjian_V1_AgendaItemView {
    .with {
      $0.id = record.id
      $0.version = record.version
      $0.item = item
    }
  }

  private static func actionView(_ record: StoredRecord, _ action: Gongjian_V1_ActionItem, today: String) -> Gongjian_V1_ActionItemView {
    .with {
      $0.id = record.id
      $0.version = record.version
      $0.action = action
      $0.overdue = action.status == .open && action.dueOn < today
    }
  }

  static func today() -> String {
    AgendaWorkflow.Actor.day()
  }

  static func now() -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date())
  }

  private static func actor(_ caller: Caller, side: Gongjian_V1_Side? = nil) -> AgendaWorkflow.Actor {
    AgendaWorkflow.Actor(officeID: caller.office.id, side: side ?? caller.office.side, at: Self.now(), today: Self.today())
  }

  private static func stored<P>(_ entry: (record: StoredRecord, payload: P)) -> AgendaWorkflow.Stored<P> {
    AgendaWorkflow.Stored(id: entry.record.id, version: entry.record.version, payload: entry.payload)
  }

  /// A move the state of the records does not allow, naming the field.
  private static func refused(_ refusal: AgendaWorkflow.Refusal) -> GongjianError {
    GongjianError(.failedPrecondition, "\(refusal.field): \(refusal.message)", violations: [.init(field: refusal.field, description: refusal.message)])
  }

  private static func writes(_ writes: [AgendaWorkflow.Write]) -> [TypedWriter.Write] {
    writes.map { TypedWriter.Write(kind: $0.kind, id: $0.id, baseVersion: $0.baseVersion, payload: $0.payload) }
  }

  // MARK: Meetings

  public func createMeeting(request: Gongjian_V1_CreateMeetingRequest, context: ServerContext) async throws -> Gongjian_V1_MeetingView {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "create meeting")
    // The meeting and the council's deferred items moving on to it, in one atomic push.
    let writes = AgendaWorkflow.createMeeting(
      request, meetingID: RecordID.make(),
      meetings: try await self.all(.meeting, request.tenantID, as: Gongjian_V1_Meeting.self).map(Self.stored),
      items: try await self.all(.agendaItem, request.tenantID, as: Gongjian_V1_AgendaItem.self).map(Self.stored), actor: Self.actor(caller)
    )
    let record = try await self.writer.write(Self.writes(writes), tenantID: request.tenantID, caller: caller)[0]
    return try await self.meetingView(record, try Gongjian_V1_Meeting(serializedBytes: record.payload), tenantID: request.tenantID)
  }

  public func listMeetings(request: Gongjian_V1_ListMeetingsRequest, context: ServerContext) async throws -> Gongjian_V1_ListMeetingsResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "list meetings")
    // One read of the councils for all meetings.
    let councils = Dictionary(
      try await self.all(.council, request.tenantID, as: Gongjian_V1_Council.self).map { ($0.record.id, $0.payload.name) },
      uniquingKeysWith: { first, _ in first }
    )
    var views = try await self.all(.meeting, request.tenantID, as: Gongjian_V1_Meeting.self).map {
      Self.meetingView($0.record, $0.payload, councilName: councils[$0.payload.councilID] ?? "")
    }
    views.sort { ($0.meeting.heldOn, $0.id) < ($1.meeting.heldOn, $1.id) }
    return .with { $0.meetings = views }
  }

  public func setMeetingStatus(request: Gongjian_V1_SetMeetingStatusRequest, context: ServerContext) async throws -> Gongjian_V1_MeetingView {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "set meeting status")
    let (record, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let write: AgendaWorkflow.Write
    do {
      write = try AgendaWorkflow.setStatus(Self.stored((record, meeting)), to: request.status)
    } catch let refusal as AgendaWorkflow.Refusal {
      throw Self.refused(refusal)
    }
    let updated = write.payload as! Gongjian_V1_Meeting
    let written = try await self.writer.write(Self.writes([write])[0], tenantID: request.tenantID, caller: caller)
    return try await self.meetingView(written, updated, tenantID: request.tenantID)
  }

  // MARK: Agenda

  private func items(of meetingID: String, tenantID: String) async throws -> [(record: StoredRecord, payload: Gongjian_V1_AgendaItem)] {
    let rank = AgendaWorkflow.agendaRank
    return try await self.all(.agendaItem, tenantID, as: Gongjian_V1_AgendaItem.self)
      .filter { $0.payload.meetingID == meetingID.lowercased() }
      .sorted {
        (rank($0.payload.status), $0.payload.order, $0.record.sequence) < (rank($1.payload.status), $1.payload.order, $1.record.sequence)
      }
  }

  public func getAgenda(request: Gongjian_V1_GetAgendaRequest, context: ServerContext) async throws -> Gongjian_V1_Agenda {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "read the agenda")
    let (record, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let view = try await self.meetingView(record, meeting, tenantID: request.tenantID)
    let items = try await self.items(of: record.id, tenantID: request.tenantID)
    return .with {
      $0.meeting = view
      $0.items = AgendaWorkflow.numbered(items.map { Self.itemView($0.record, $0.payload) })
    }
  }

  public func propose(request: Gongjian_V1_ProposeRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    let caller = try context.caller
    let membership = try await self.authorizer.require(.role(.contributor), tenant: request.tenantID, caller: caller, action: "propose an agenda item")
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    // Links into other tenants are authorised for the writer by the write path, as for raw pushes.
    for (index, attachment) in request.attachments.enumerated()
    where try await self.store.attachment(tenantID: request.tenantID, sha256: attachment.sha256) == nil {
      throw GongjianError.invalidField("attachments[\(index)].sha256", "no uploaded attachment with this hash in tenant \(request.tenantID)")
    }
    let writes = AgendaWorkflow.propose(
      request, meeting: Self.stored((meetingRecord, meeting)), itemID: RecordID.make(),
      actor: Self.actor(caller, side: membership?.side ?? caller.office.side)
    )
    let written = try await self.writer.write(Self.writes(writes), tenantID: request.tenantID, caller: caller)
    return Self.itemView(written[0], writes[0].payload as! Gongjian_V1_AgendaItem)
  }

  /// Moves one item through the write path, with what the move entails (renumbering, the move
  /// to the next meeting, the agenda version), in one atomic push.
  private func change(
    _ request: Gongjian_V1_AgendaActionRequest, caller: Caller, move: AgendaWorkflow.Move
  ) async throws -> Gongjian_V1_AgendaItemView {
    let membership = try await self.authorizer.require(.read, tenant: request.tenantID, caller: caller, action: move.action)
    let item = try await self.one(.agendaItem, request.tenantID, request.itemID, field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let meeting = try await self.one(.meeting, request.tenantID, item.payload.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let siblings = try await self.items(of: item.payload.meetingID, tenantID: request.tenantID).map(Self.stored)
    let next = move == .deferral
      ? AgendaWorkflow.nextMeeting(
        after: Self.stored(meeting), among: try await self.all(.meeting, request.tenantID, as: Gongjian_V1_Meeting.self).map(Self.stored)
      ) : nil
    let writes: [AgendaWorkflow.Write]
    do {
      writes = try AgendaWorkflow.move(
        move, item: Self.stored(item), meeting: Self.stored(meeting), siblings: siblings, next: next,
        renumbers: membership?.role.includes(.secretariat) ?? false, actor: Self.actor(caller), note: request.note
      )
    } catch let refusal as AgendaWorkflow.Refusal {
      throw Self.refused(refusal)
    }
    let written = try await self.writer.write(Self.writes(writes), tenantID: request.tenantID, caller: caller)
    return Self.itemView(written[0], try Gongjian_V1_AgendaItem(serializedBytes: written[0].payload))
  }

  public func acceptItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: try context.caller, action: "accept an agenda item")
    return try await self.change(request, caller: try context.caller, move: .accept)
  }

  /// Defers an item; when the council's next meeting exists, the item moves there in the same push.
  public func deferItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "defer an agenda item")
    return try await self.change(request, caller: caller, move: .deferral)
  }

  public func withdrawItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    try await self.change(request, caller: try context.caller, move: .withdraw)
  }

  public func orderItems(request: Gongjian_V1_OrderRequest, context: ServerContext) async throws -> Gongjian_V1_Agenda {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "order the agenda")
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let accepted = try await self.items(of: meetingRecord.id, tenantID: request.tenantID).filter { $0.payload.status == .accepted }
    let writes: [AgendaWorkflow.Write]
    do {
      writes = try AgendaWorkflow.order(
        request.itemIds, meeting: Self.stored((meetingRecord, meeting)), accepted: accepted.map(Self.stored), actor: Self.actor(caller)
      )
    } catch let refusal as AgendaWorkflow.Refusal {
      throw GongjianError.invalidField(refusal.field, refusal.message)
    }
    if !writes.isEmpty { try await self.writer.write(Self.writes(writes), tenantID: request.tenantID, caller: caller) }
    return try await self.getAgenda(request: .with { $0.tenantID = request.tenantID; $0.meetingID = meetingRecord.id }, context: context)
  }

  // MARK: Decisions and actions

  public func decide(request: Gongjian_V1_DecideRequest, context: ServerContext) async throws -> Gongjian_V1_DecideResponse {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "record a decision")
    let (itemRecord, item) = try await self.one(.agendaItem, request.tenantID, request.itemID, field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, item.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let decisionID = RecordID.make()
    let writes = Self.writes(AgendaWorkflow.decide(
      request, item: Self.stored((itemRecord, item)), meeting: Self.stored((meetingRecord, meeting)), decisionID: decisionID,
      actionIDs: request.actions.map { _ in RecordID.make() }
    ))
    let written = try await self.writer.write(writes, tenantID: request.tenantID, caller: caller)
    let today = Self.today()
    let views = try written.dropFirst().map { Self.actionView($0, try Gongjian_V1_ActionItem(serializedBytes: $0.payload), today: today) }
    return .with {
      $0.decisionID = decisionID
      $0.actions = views
    }
  }

  public func listActions(request: Gongjian_V1_ListActionsRequest, context: ServerContext) async throws -> Gongjian_V1_ListActionsResponse {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "list actions")
    let today = Self.today()
    let actions = try await self.all(.actionItem, request.tenantID, as: Gongjian_V1_ActionItem.self)
      .filter { !request.openOnly || $0.payload.status == .open }
      .sorted { ($0.payload.dueOn, $0.record.id) < ($1.payload.dueOn, $1.record.id) }
    return .with { $0.actions = actions.map { Self.actionView($0.record, $0.payload, today: today) } }
  }

  public func updateAction(request: Gongjian_V1_UpdateActionRequest, context: ServerContext) async throws -> Gongjian_V1_ActionItemView {
    let caller = try context.caller
    // Authorised before the lookup, so that an outsider cannot tell existing ids from others.
    try await self.authorizer.require(.role(.contributor), tenant: request.tenantID, caller: caller, action: "update an action item")
    let (record, action) = try await self.one(.actionItem, request.tenantID, request.actionID, field: "action_id", as: Gongjian_V1_ActionItem.self)
    let write = AgendaWorkflow.updateAction(Self.stored((record, action)), status: request.status, note: request.note, actor: Self.actor(caller))
    let updated = write.payload as! Gongjian_V1_ActionItem
    let written = try await self.writer.write(Self.writes([write])[0], tenantID: request.tenantID, caller: caller)
    return Self.actionView(written, updated, today: Self.today())
  }

  // MARK: Attachments

  public func uploadAttachment(request: Gongjian_V1_UploadAttachmentRequest, context: ServerContext) async throws -> Gongjian_V1_AttachmentRef {
    try await self.authorizer.require(.role(.contributor), tenant: request.tenantID, caller: try context.caller, action: "upload an attachment")
    guard !request.name.isEmpty, request.name.count <= 200 else { throw GongjianError.invalidField("name", "required, at most 200 characters") }
    guard !request.content.isEmpty else { throw GongjianError.invalidField("content", "empty file") }
    guard request.content.count <= self.maxAttachmentBytes else {
      throw GongjianError(
        .resourceExhausted, "content: \(request.content.count) bytes; attachments are at most \(self.maxAttachmentBytes) bytes",
        violations: [.init(field: "content", description: "at most \(self.maxAttachmentBytes) bytes")]
      )
    }
    let sha = SHA256.hash(data: request.content).hexadecimal
    let type = request.contentType.isEmpty ? "application/octet-stream" : request.contentType
    try await self.store.putAttachment(tenantID: request.tenantID, sha256: sha, contentType: type, content: request.content)
    return .with {
      $0.name = request.name
      $0.contentType = type
      $0.size = Int64(request.content.count)
      $0.sha256 = sha
    }
  }

  // MARK: Packet

  public func preparePacket(request: Gongjian_V1_PreparePacketRequest, context: ServerContext) async throws -> Gongjian_V1_Packet {
    let caller = try context.caller
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: caller, action: "prepare the packet")
    guard let edition = PacketEdition(code: request.language) else {
      throw GongjianError.invalidField("language", "zh (the default) or en (got '\(request.language)')")
    }
    return try await self.packet(tenantID: request.tenantID, meetingID: request.meetingID, reader: caller, edition: edition).proto
  }

  /// Assembles the packet's data from the synced records, as `reader` may see them.
  func packet(tenantID: String, meetingID: String, reader: Caller, edition: PacketEdition) async throws -> MeetingPacket {
    let (meetingRecord, meeting) = try await self.one(.meeting, tenantID, meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let council = try await self.one(.council, tenantID, meeting.councilID, field: "council_id", as: Gongjian_V1_Council.self)
    let meetings = try await self.all(.meeting, tenantID, as: Gongjian_V1_Meeting.self)
    let items = try await self.all(.agendaItem, tenantID, as: Gongjian_V1_AgendaItem.self)
    let decisions = try await self.all(.decision, tenantID, as: Gongjian_V1_Decision.self)
    let actions = try await self.all(.actionItem, tenantID, as: Gongjian_V1_ActionItem.self)
    // The city council sees every partnership; a park council its own.
    let tenants = tenantID == self.cityTenant ? try await self.store.tenants().map(\.id) : [tenantID]
    let data = try await PartnershipData.load(from: self.store, tenantIDs: tenants, targetsTenant: self.cityTenant)
    var links: [String: MeetingPacket.Link] = [:]
    // A link into another tenant is read only when the reader may read that tenant; otherwise
    // it reads the same whether or not the record exists.
    var readable: [String: Bool] = [tenantID: true]
    for (_, item) in items where item.meetingID == meetingRecord.id && item.status == .accepted {
      for link in item.linkedRecords {
        let linkTenant = link.tenantID.isEmpty ? tenantID : link.tenantID
        if readable[linkTenant] == nil {
          readable[linkTenant] = await self.authorizer.allows(.read, tenant: linkTenant, caller: reader)
        }
        guard readable[linkTenant] == true else {
          links["\(link.kind)/\(link.id)"] = .restricted
          continue
        }
        guard let kind = RecordKind.named(link.kind),
          let record = try await self.store.record(tenantID: linkTenant, kind: kind.name, id: link.id), !record.deleted,
          let payload = try? Gongjian_V1_RecordPayload(kind: kind.name, data: record.payload)
        else { continue }
        links["\(link.kind)/\(link.id)"] = .visible(payload)
      }
    }
    let officeNames = Dictionary(uniqueKeysWithValues: try await self.store.offices().map { ($0.id, $0.name) })
    func entries<P>(_ list: [(record: StoredRecord, payload: P)]) -> [MeetingPacket.Entry<P>] {
      list.map { .init(id: $0.record.id, sequence: $0.record.sequence, payload: $0.payload) }
    }
    return MeetingPacket.assemble(
      meeting: .init(id: meetingRecord.id, sequence: meetingRecord.sequence, payload: meeting), councilName: council.payload.name,
      records: .init(meetings: entries(meetings), items: entries(items), decisions: entries(decisions), actions: entries(actions)),
      data: data, links: links, officeNames: officeNames, cityWide: tenantID == self.cityTenant, edition: edition, ranges: self.ranges
    )
  }
}
