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

  /// Creates the service.
  public init(engine: SyncEngine, store: any GongjianStore, authorizer: Authorizer, cityTenant: String, maxAttachmentBytes: Int) {
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
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let c = calendar.dateComponents([.year, .month, .day], from: Date())
    return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
  }

  static func now() -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date())
  }

  private static func event(_ caller: Caller, _ action: String, _ note: String) -> Gongjian_V1_AgendaEvent {
    .with {
      $0.at = Self.now()
      $0.officeID = caller.office.id
      $0.action = action
      $0.note = note
    }
  }

  // MARK: Meetings

  public func createMeeting(request: Gongjian_V1_CreateMeetingRequest, context: ServerContext) async throws -> Gongjian_V1_MeetingView {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "create meeting")
    let meeting = Gongjian_V1_Meeting.with {
      $0.councilID = request.councilID.lowercased()
      $0.title = request.title
      $0.heldOn = request.heldOn
      $0.place = request.place
      $0.status = .draft
    }
    let id = UUID().uuidString.lowercased()
    let record = try await self.writer.write(.init(kind: .meeting, id: id, baseVersion: 0, payload: meeting), tenantID: request.tenantID, caller: caller)
    // Deferred items of the council move on to this meeting, keeping their history.
    let meetings = Dictionary(uniqueKeysWithValues: try await self.all(.meeting, request.tenantID, as: Gongjian_V1_Meeting.self).map { ($0.record.id, $0.payload) })
    var moves: [TypedWriter.Write] = []
    for (itemRecord, item) in try await self.all(.agendaItem, request.tenantID, as: Gongjian_V1_AgendaItem.self)
    where item.status == .deferred && meetings[item.meetingID]?.councilID == meeting.councilID && item.meetingID != id {
      moves.append(self.move(item, record: itemRecord, to: id, caller: caller))
    }
    if !moves.isEmpty { try await self.writer.write(moves, tenantID: request.tenantID, caller: caller) }
    return try await self.meetingView(record, meeting, tenantID: request.tenantID)
  }

  private func move(_ item: Gongjian_V1_AgendaItem, record: StoredRecord, to meetingID: String, caller: Caller) -> TypedWriter.Write {
    var moved = item
    moved.deferredFromMeetingID = item.meetingID
    moved.meetingID = meetingID
    moved.status = .proposed
    moved.order = 0
    moved.history.append(Self.event(caller, "moved", "deferred from meeting \(item.meetingID)"))
    return .init(kind: .agendaItem, id: record.id, baseVersion: record.version, payload: moved)
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
    var updated = meeting
    updated.status = request.status
    if meeting.status == .draft && request.status == .agendaPublished { updated.agendaVersion += 1 }
    let written = try await self.writer.write(.init(kind: .meeting, id: record.id, baseVersion: record.version, payload: updated), tenantID: request.tenantID, caller: caller)
    return try await self.meetingView(written, updated, tenantID: request.tenantID)
  }

  // MARK: Agenda

  private func items(of meetingID: String, tenantID: String) async throws -> [(record: StoredRecord, payload: Gongjian_V1_AgendaItem)] {
    let rank: [Gongjian_V1_AgendaItemStatus: Int] = [.accepted: 0, .proposed: 1, .deferred: 2, .withdrawn: 3]
    return try await self.all(.agendaItem, tenantID, as: Gongjian_V1_AgendaItem.self)
      .filter { $0.payload.meetingID == meetingID.lowercased() }
      .sorted {
        (rank[$0.payload.status] ?? 9, $0.payload.order, $0.record.sequence) < (rank[$1.payload.status] ?? 9, $1.payload.order, $1.record.sequence)
      }
  }

  public func getAgenda(request: Gongjian_V1_GetAgendaRequest, context: ServerContext) async throws -> Gongjian_V1_Agenda {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: try context.caller, action: "read the agenda")
    let (record, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let view = try await self.meetingView(record, meeting, tenantID: request.tenantID)
    let items = try await self.items(of: record.id, tenantID: request.tenantID)
    return .with {
      $0.meeting = view
      $0.items = items.map { Self.itemView($0.record, $0.payload) }
    }
  }

  public func propose(request: Gongjian_V1_ProposeRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    let caller = try context.caller
    let membership = try await self.authorizer.require(.role(.contributor), tenant: request.tenantID, caller: caller, action: "propose an agenda item")
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let published = meeting.status != .draft
    let item = Gongjian_V1_AgendaItem.with {
      $0.meetingID = meetingRecord.id
      $0.title = request.title
      $0.summary = request.summary
      $0.proposingOffice = caller.office.id
      $0.proposingSide = membership?.side ?? caller.office.side
      $0.responsibleUnits = request.responsibleUnits
      $0.linkedRecords = request.linkedRecords.map { link in
        .with {
          $0.kind = link.kind
          $0.id = link.id.lowercased()
          $0.tenantID = link.tenantID == request.tenantID ? "" : link.tenantID
        }
      }
      $0.attachments = request.attachments
      $0.status = .proposed
      $0.history = [Self.event(caller, "proposed", "")]
    }
    // Links into other tenants are authorised for the writer by the write path, as for raw pushes.
    for (index, attachment) in request.attachments.enumerated()
    where try await self.store.attachment(tenantID: request.tenantID, sha256: attachment.sha256) == nil {
      throw GongjianError.invalidField("attachments[\(index)].sha256", "no uploaded attachment with this hash in tenant \(request.tenantID)")
    }
    var writes: [TypedWriter.Write] = [.init(kind: .agendaItem, id: UUID().uuidString.lowercased(), baseVersion: 0, payload: item)]
    if published { writes.append(self.revise(meeting, record: meetingRecord)) }
    let written = try await self.writer.write(writes, tenantID: request.tenantID, caller: caller)
    return Self.itemView(written[0], item)
  }

  /// A new agenda version for a change after publication.
  private func revise(_ meeting: Gongjian_V1_Meeting, record: StoredRecord) -> TypedWriter.Write {
    var revised = meeting
    revised.agendaVersion += 1
    return .init(kind: .meeting, id: record.id, baseVersion: record.version, payload: revised)
  }

  /// Changes one item's workflow fields through the write path (and the agenda version when the
  /// agenda is published).
  private func change(
    _ request: Gongjian_V1_AgendaActionRequest, caller: Caller, action: String,
    _ body: (inout Gongjian_V1_AgendaItem, [(record: StoredRecord, payload: Gongjian_V1_AgendaItem)]) throws -> Void
  ) async throws -> Gongjian_V1_AgendaItemView {
    try await self.authorizer.require(.read, tenant: request.tenantID, caller: caller, action: action)
    let (record, item) = try await self.one(.agendaItem, request.tenantID, request.itemID, field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, item.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    var updated = item
    try body(&updated, try await self.items(of: item.meetingID, tenantID: request.tenantID))
    updated.history.append(Self.event(caller, action, request.note))
    var writes: [TypedWriter.Write] = [.init(kind: .agendaItem, id: record.id, baseVersion: record.version, payload: updated)]
    if meeting.status != .draft { writes.append(self.revise(meeting, record: meetingRecord)) }
    let written = try await self.writer.write(writes, tenantID: request.tenantID, caller: caller)
    return Self.itemView(written[0], updated)
  }

  public func acceptItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: try context.caller, action: "accept an agenda item")
    return try await self.change(request, caller: try context.caller, action: "accepted") { item, siblings in
      item.status = .accepted
      item.order = (siblings.filter { $0.payload.status == .accepted }.map(\.payload.order).max() ?? 0) + 1
    }
  }

  public func deferItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "defer an agenda item")
    let deferred = try await self.change(request, caller: caller, action: "deferred") { item, _ in
      item.status = .deferred
      item.order = 0
    }
    // When the council's next meeting exists, the item moves there at once.
    let meetings = try await self.all(.meeting, request.tenantID, as: Gongjian_V1_Meeting.self)
    guard let current = meetings.first(where: { $0.record.id == deferred.item.meetingID }) else { return deferred }
    let next = meetings
      .filter { $0.payload.councilID == current.payload.councilID && $0.payload.heldOn > current.payload.heldOn && $0.payload.status == .draft }
      .min { $0.payload.heldOn < $1.payload.heldOn }
    guard let next, let record = try await self.store.record(tenantID: request.tenantID, kind: RecordKind.agendaItem.name, id: deferred.id) else {
      return deferred
    }
    let written = try await self.writer.write(self.move(deferred.item, record: record, to: next.record.id, caller: caller), tenantID: request.tenantID, caller: caller)
    return Self.itemView(written, try Gongjian_V1_AgendaItem(serializedBytes: written.payload))
  }

  public func withdrawItem(request: Gongjian_V1_AgendaActionRequest, context: ServerContext) async throws -> Gongjian_V1_AgendaItemView {
    try await self.change(request, caller: try context.caller, action: "withdrawn") { item, _ in
      item.status = .withdrawn
      item.order = 0
    }
  }

  public func orderItems(request: Gongjian_V1_OrderRequest, context: ServerContext) async throws -> Gongjian_V1_Agenda {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "order the agenda")
    let (meetingRecord, meeting) = try await self.one(.meeting, request.tenantID, request.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let accepted = try await self.items(of: meetingRecord.id, tenantID: request.tenantID).filter { $0.payload.status == .accepted }
    let wanted = request.itemIds.map { $0.lowercased() }
    guard Set(wanted) == Set(accepted.map(\.record.id)), wanted.count == accepted.count else {
      throw GongjianError.invalidField("item_ids", "list every accepted item of the meeting once: \(accepted.map(\.record.id).joined(separator: ", "))")
    }
    var writes: [TypedWriter.Write] = []
    for (position, id) in wanted.enumerated() {
      let entry = accepted.first { $0.record.id == id }!
      guard entry.payload.order != Int32(position + 1) else { continue }
      var item = entry.payload
      item.order = Int32(position + 1)
      item.history.append(Self.event(caller, "reordered", "position \(position + 1)"))
      writes.append(.init(kind: .agendaItem, id: id, baseVersion: entry.record.version, payload: item))
    }
    if !writes.isEmpty {
      if meeting.status != .draft { writes.append(self.revise(meeting, record: meetingRecord)) }
      try await self.writer.write(writes, tenantID: request.tenantID, caller: caller)
    }
    return try await self.getAgenda(request: .with { $0.tenantID = request.tenantID; $0.meetingID = meetingRecord.id }, context: context)
  }

  // MARK: Decisions and actions

  public func decide(request: Gongjian_V1_DecideRequest, context: ServerContext) async throws -> Gongjian_V1_DecideResponse {
    let caller = try context.caller
    try await self.authorizer.require(.role(.secretariat), tenant: request.tenantID, caller: caller, action: "record a decision")
    let (itemRecord, item) = try await self.one(.agendaItem, request.tenantID, request.itemID, field: "item_id", as: Gongjian_V1_AgendaItem.self)
    let (_, meeting) = try await self.one(.meeting, request.tenantID, item.meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let decisionID = UUID().uuidString.lowercased()
    let decision = Gongjian_V1_Decision.with {
      $0.meetingID = item.meetingID
      $0.agendaItemID = itemRecord.id
      $0.text = request.text
      $0.decidedOn = request.decidedOn.isEmpty ? meeting.heldOn : request.decidedOn
    }
    var writes: [TypedWriter.Write] = [.init(kind: .decision, id: decisionID, baseVersion: 0, payload: decision)]
    for action in request.actions {
      writes.append(.init(
        kind: .actionItem, id: UUID().uuidString.lowercased(), baseVersion: 0,
        payload: Gongjian_V1_ActionItem.with {
          $0.decisionID = decisionID
          $0.meetingID = item.meetingID
          $0.councilID = meeting.councilID
          $0.title = action.title
          $0.ownerUnit = action.ownerUnit
          $0.dueOn = action.dueOn
          $0.status = .open
        }
      ))
    }
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
    var updated = action
    if request.status != .unspecified { updated.status = request.status }
    if !request.note.isEmpty {
      updated.progress.append(.with {
        $0.on = Self.today()
        $0.officeID = caller.office.id
        $0.note = request.note
      })
    }
    let written = try await self.writer.write(.init(kind: .actionItem, id: record.id, baseVersion: record.version, payload: updated), tenantID: request.tenantID, caller: caller)
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
    let sha = SHA256.hash(data: request.content).map { String(format: "%02x", $0) }.joined()
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
    let packet = try await self.packet(tenantID: request.tenantID, meetingID: request.meetingID, reader: caller)
    let document = packet.document()
    return .with {
      $0.title = document.title
      $0.agendaVersion = packet.meeting.agendaVersion
      $0.html = document.html
      $0.markdown = document.markdown
      $0.sections = document.sections
    }
  }

  /// Assembles the packet's data from the synced records, as `reader` may see them.
  func packet(tenantID: String, meetingID: String, reader: Caller) async throws -> MeetingPacket {
    let (meetingRecord, meeting) = try await self.one(.meeting, tenantID, meetingID, field: "meeting_id", as: Gongjian_V1_Meeting.self)
    let council = try await self.one(.council, tenantID, meeting.councilID, field: "council_id", as: Gongjian_V1_Council.self)
    let meetings = try await self.all(.meeting, tenantID, as: Gongjian_V1_Meeting.self)
    let titles = Dictionary(uniqueKeysWithValues: meetings.map { ($0.record.id, $0.payload.title) })
    let agenda = try await self.items(of: meetingRecord.id, tenantID: tenantID).filter { $0.payload.status == .accepted }
    // The city council sees every partnership; a park council its own.
    let tenants = tenantID == self.cityTenant ? try await self.store.tenants().map(\.id) : [tenantID]
    let data = try await PartnershipData.load(from: self.store, tenantIDs: tenants, targetsTenant: self.cityTenant)
    var labels: [String: String] = [:]
    for (id, title) in titles { labels["meeting/\(id)"] = title }
    // A link into another tenant is read only when the reader may read that tenant; otherwise
    // it reads the same whether or not the record exists.
    var readable: [String: Bool] = [tenantID: true]
    for entry in agenda {
      for link in entry.payload.linkedRecords {
        let linkTenant = link.tenantID.isEmpty ? tenantID : link.tenantID
        if readable[linkTenant] == nil {
          readable[linkTenant] = await self.authorizer.allows(.read, tenant: linkTenant, caller: reader)
        }
        guard readable[linkTenant] == true else {
          labels["\(link.kind)/\(link.id)"] = MeetingPacket.restrictedLinkLabel
          continue
        }
        guard let kind = RecordKind.named(link.kind),
          let record = try await self.store.record(tenantID: linkTenant, kind: kind.name, id: link.id), !record.deleted,
          let payload = try? Gongjian_V1_RecordPayload(kind: kind.name, data: record.payload)
        else { continue }
        labels["\(link.kind)/\(link.id)"] = Self.label(payload)
      }
    }
    let officeNames = Dictionary(uniqueKeysWithValues: try await self.store.offices().map { ($0.id, $0.name) })
    // Open actions of this council's earlier meetings.
    let dates = Dictionary(uniqueKeysWithValues: meetings.map { ($0.record.id, $0.payload.heldOn) })
    var actions: [MeetingPacket.Action] = []
    for (record, action) in try await self.all(.actionItem, tenantID, as: Gongjian_V1_ActionItem.self) {
      guard action.councilID == meeting.councilID, action.status == .open, action.meetingID != meetingRecord.id,
        (dates[action.meetingID] ?? "") < meeting.heldOn
      else { continue }
      actions.append(.init(id: record.id, action: action, meetingTitle: titles[action.meetingID] ?? "", overdue: action.dueOn < meeting.heldOn))
    }
    actions.sort { ($0.action.dueOn, $0.id) < ($1.action.dueOn, $1.id) }
    return MeetingPacket(
      councilName: council.payload.name, meeting: meeting, agenda: agenda.map { .init(id: $0.record.id, item: $0.payload) },
      linkLabels: labels, officeNames: officeNames, data: data,
      actionsDue: actions.filter { $0.action.dueOn <= meeting.heldOn },
      actionsCarried: actions.filter { $0.action.dueOn > meeting.heldOn },
      cityWide: tenantID == self.cityTenant
    )
  }

  static func label(_ payload: Gongjian_V1_RecordPayload) -> String {
    switch payload.kind {
    case .park(let p): p.name
    case .indicatorReport(let r): "indicator report \(TargetsCalculator.label(r.period))"
    case .transferredProject(let p): "\(p.name) (\(MeetingPacket.projectStatusName(p.status)), \(MeetingPacket.yuan(p.plannedInvestmentYuan)))"
    case .exchangeActivity(let a): "\(a.title) (\(a.heldOn))"
    case .assistancePlan(let a): "\(a.county) \(a.village)"
    case .revenueSharingAgreement(let r): r.title
    case .target(let t): t.description_p
    case .council(let c): c.name
    case .meeting(let m): m.title
    case .agendaItem(let a): a.title
    case .decision(let d): d.text
    case .actionItem(let a): a.title
    case nil: ""
    }
  }
}
