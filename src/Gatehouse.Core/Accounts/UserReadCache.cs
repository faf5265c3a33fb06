using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

/// <summary>
/// Users read by the read-only "who am I" routes, kept per instance for at most
/// <see cref="TokenOptions.SessionStateCacheDuration"/> (the session state's bound, under a
/// second). A user written on this instance is dropped at once (the storage layer reports every
/// committed write, <see cref="IUserChangeListener"/>), so a client reads its own writes; on
/// another instance sharing the database a change shows within that bound. Callers get a copy:
/// changing it changes nothing cached. Never used where a decision is made (sign-in, password,
/// status checks read the database).
/// </summary>
public sealed class UserReadCache(IUserReader reader, TimeProvider time, IOptions<TokenOptions> options) : IUserChangeListener
{
    private readonly ShortLivedCache<User?> _cache = new(time);

    public async ValueTask<User?> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (!_cache.TryGet(userId, out var user))
        {
            var stamp = _cache.Stamp(userId);
            user = await reader.FindByIdAsync(userId, cancellationToken);
            _cache.Set(userId, user, stamp, options.Value.SessionStateCacheDuration);
        }
        return user?.Copy();
    }

    public void UserChanged(string userId) => _cache.Invalidate(userId);
}
