using Gatehouse.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Storage;

/// <summary>
/// Looks a cookie-session secret hash up through its own short-lived context, so resolving a
/// cookie needs no unit of work (like <see cref="EfSessionStateReader"/>).
/// </summary>
internal sealed class EfSessionSecretReader(IDbContextFactory<GatehouseDbContext> factory) : ISessionSecretReader
{
    private static readonly Func<GatehouseDbContext, string, Task<SessionSecretMatch?>> Query =
        EF.CompileAsyncQuery((GatehouseDbContext db, string hash) =>
            db.Sessions.AsNoTracking().Where(s => s.SecretHash == hash).Select(s => new SessionSecretMatch(s.Id, s.UserId)).FirstOrDefault());

    public async Task<SessionSecretMatch?> FindAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await Query(db, secretHash);
    }
}
