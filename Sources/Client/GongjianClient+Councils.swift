public import GongjianProtocol
internal import GRPCCore

extension GongjianClient {
  /// Creates a meeting (secretariat); deferred items of the council move to it.
  public func createMeeting(_ request: Gongjian_V1_CreateMeetingRequest) async throws -> Gongjian_V1_MeetingView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).createMeeting(request, options: self.options) }
  }

  /// The council's meetings.
  public func listMeetings(_ request: Gongjian_V1_ListMeetingsRequest) async throws -> Gongjian_V1_ListMeetingsResponse {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).listMeetings(request, options: self.options) }
  }

  /// Moves a meeting through draft, published, held, minutes approved.
  public func setMeetingStatus(_ request: Gongjian_V1_SetMeetingStatusRequest) async throws -> Gongjian_V1_MeetingView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).setMeetingStatus(request, options: self.options) }
  }

  /// A meeting's agenda.
  public func getAgenda(_ request: Gongjian_V1_GetAgendaRequest) async throws -> Gongjian_V1_Agenda {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).getAgenda(request, options: self.options) }
  }

  /// Proposes an agenda item.
  public func propose(_ request: Gongjian_V1_ProposeRequest) async throws -> Gongjian_V1_AgendaItemView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).propose(request, options: self.options) }
  }

  /// Accepts a proposed item (secretariat).
  public func acceptItem(_ request: Gongjian_V1_AgendaActionRequest) async throws -> Gongjian_V1_AgendaItemView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).acceptItem(request, options: self.options) }
  }

  /// Defers an item to the council's next meeting (secretariat).
  public func deferItem(_ request: Gongjian_V1_AgendaActionRequest) async throws -> Gongjian_V1_AgendaItemView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).deferItem(request, options: self.options) }
  }

  /// Withdraws an item (its proposer or the secretariat).
  public func withdrawItem(_ request: Gongjian_V1_AgendaActionRequest) async throws -> Gongjian_V1_AgendaItemView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).withdrawItem(request, options: self.options) }
  }

  /// Orders the accepted items (secretariat).
  public func orderItems(_ request: Gongjian_V1_OrderRequest) async throws -> Gongjian_V1_Agenda {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).orderItems(request, options: self.options) }
  }

  /// Records a decision and its action items (secretariat).
  public func decide(_ request: Gongjian_V1_DecideRequest) async throws -> Gongjian_V1_DecideResponse {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).decide(request, options: self.options) }
  }

  /// The council's action items.
  public func listActions(_ request: Gongjian_V1_ListActionsRequest) async throws -> Gongjian_V1_ListActionsResponse {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).listActions(request, options: self.options) }
  }

  /// Updates an action item's status or adds a progress note.
  public func updateAction(_ request: Gongjian_V1_UpdateActionRequest) async throws -> Gongjian_V1_ActionItemView {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).updateAction(request, options: self.options) }
  }

  /// Uploads an attachment for a proposal.
  public func uploadAttachment(_ request: Gongjian_V1_UploadAttachmentRequest) async throws -> Gongjian_V1_AttachmentRef {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).uploadAttachment(request, options: self.options) }
  }

  /// The meeting packet, as the server assembles it.
  public func preparePacket(_ request: Gongjian_V1_PreparePacketRequest) async throws -> Gongjian_V1_Packet {
    try await self.call { try await Gongjian_V1_Councils.Client(wrapping: self.client).preparePacket(request, options: self.options) }
  }
}
