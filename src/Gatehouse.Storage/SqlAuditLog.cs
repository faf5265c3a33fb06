using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlAuditLog(SqlSession db) : IAuditLog
{
    private static readonly EntityMap<AuditEvent> Map = Maps.AuditEvents;

    public void Add(AuditEvent auditEvent) => db.Add(Map, auditEvent);

    public async Task<Page<AuditEvent>> ListAsync(string? userId, string? type, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var conditions = new List<string>();
        var args = new List<object?>();
        if (userId is not null)
        {
            conditions.Add("user_id = " + SqlCommands.ParameterName(args.Count));
            args.Add(userId);
        }
        if (type is not null)
        {
            conditions.Add("type = " + SqlCommands.ParameterName(args.Count));
            args.Add(type);
        }
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return await db.PageAsync(Map, where, "id DESC", [.. args], offset, limit, cancellationToken);
    }
}
