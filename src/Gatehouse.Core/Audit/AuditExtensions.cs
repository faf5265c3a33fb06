using Gatehouse.Core.Common;

namespace Gatehouse.Core.Audit;

public static class AuditExtensions
{
    public static void Record(this IAuditLog log, TimeProvider time, string type, RequestContext context, string? userId, string? actorId = null, string? clientId = null, string? detail = null) =>
        log.Add(new AuditEvent
        {
            At = time.GetUtcNow(),
            Type = type,
            UserId = userId,
            ActorId = actorId,
            ClientId = clientId,
            IpAddress = context.IpAddress,
            Detail = detail is { Length: > 500 } ? detail[..500] : detail,
        });
}
