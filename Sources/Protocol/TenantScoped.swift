/// A request that names its tenant, so that limits per tenant apply before the service runs.
public protocol TenantScoped {
  var tenantID: String { get }
}

extension Gongjian_V1_SetMembershipRequest: TenantScoped {}
extension Gongjian_V1_RemoveMembershipRequest: TenantScoped {}
extension Gongjian_V1_ListMembershipsRequest: TenantScoped {}
extension Gongjian_V1_ListAuditEntriesRequest: TenantScoped {}
extension Gongjian_V1_AuditCheckpointRequest: TenantScoped {}
extension Gongjian_V1_CreateMeetingRequest: TenantScoped {}
extension Gongjian_V1_ListMeetingsRequest: TenantScoped {}
extension Gongjian_V1_SetMeetingStatusRequest: TenantScoped {}
extension Gongjian_V1_GetAgendaRequest: TenantScoped {}
extension Gongjian_V1_ProposeRequest: TenantScoped {}
extension Gongjian_V1_AgendaActionRequest: TenantScoped {}
extension Gongjian_V1_OrderRequest: TenantScoped {}
extension Gongjian_V1_DecideRequest: TenantScoped {}
extension Gongjian_V1_ListActionsRequest: TenantScoped {}
extension Gongjian_V1_UpdateActionRequest: TenantScoped {}
extension Gongjian_V1_UploadAttachmentRequest: TenantScoped {}
extension Gongjian_V1_PreparePacketRequest: TenantScoped {}
extension Gongjian_V1_GetTypedRecordRequest: TenantScoped {}
extension Gongjian_V1_ListRecordsRequest: TenantScoped {}
extension Gongjian_V1_DeleteRecordRequest: TenantScoped {}
extension Gongjian_V1_PushRequest: TenantScoped {}
extension Gongjian_V1_PullRequest: TenantScoped {}
extension Gongjian_V1_SubscribeRequest: TenantScoped {}
extension Gongjian_V1_GetRecordRequest: TenantScoped {}
extension Gongjian_V1_CreateRecordRequest: TenantScoped {}
extension Gongjian_V1_UpdateRecordRequest: TenantScoped {}
