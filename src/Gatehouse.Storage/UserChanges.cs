using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Storage;

/// <summary>Reads a user outside any unit of work, untracked.</summary>
internal sealed class SqlUserReader(DetachedReads reads) : IUserReader
{
    private static readonly string ById = $"SELECT {Maps.Users.Select} FROM users WHERE id = @p0";

    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        reads.FirstAsync(ById, [id], r => Maps.Users.Read(r), cancellationToken);
}

/// <summary>
/// Tells <see cref="IUserChangeListener"/> about every user row the unit of work writes: right
/// after the save, and again when the surrounding transaction commits (a cache refilled between
/// the save and the commit would otherwise hold the old row). Users are written through
/// tracked entities, and the one statement that writes a user row outside them (the sign-in
/// reservation) reports itself (<see cref="Sql.SqlSession.UserWritten"/>), so this sees every
/// write of this process.
/// The listener is resolved at first use: it is a cache that reads through storage itself.
/// </summary>
internal sealed class UserChangeNotifier(IServiceProvider services)
{
    private readonly Lazy<IUserChangeListener?> _listener = new(services.GetService<IUserChangeListener>);

    public void Changed(IReadOnlyList<string> userIds)
    {
        if (userIds.Count == 0 || _listener.Value is not { } listener)
        {
            return;
        }
        foreach (var id in userIds)
        {
            listener.UserChanged(id);
        }
    }
}
