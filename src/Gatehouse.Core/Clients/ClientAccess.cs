using Gatehouse.Core.Common;

namespace Gatehouse.Core.Clients;

/// <summary>A user allowed to sign in through a client (a user may use only the clients they are allowed on).</summary>
public sealed class UserClient
{
    public string UserId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An OTP set by an administrator or a trusted service, accepted once in place of a password.
/// Only an HMAC-SHA256 over (user id, OTP) under a server secret is stored
/// (<see cref="SignInOtpHasher"/>), so equal OTPs of two users never collide and a reader of the
/// database can neither see the OTP nor try candidates against the hash.
/// </summary>
public sealed class SignInOtp
{
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";

    /// <summary>The login it was set for, as given (shown back to administrators).</summary>
    public string Username { get; set; } = "";

    public string Hash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }

    /// <summary>Sign-in attempts of the user while it was open (<see cref="ClientSignInService.MaxOtpAttempts"/> void it).</summary>
    public int Attempts { get; set; }
}

public interface IUserClientRepository
{
    Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default);

    /// <summary>The clients a user is allowed on (not deleted), by number.</summary>
    Task<IReadOnlyList<Client>> ListClientsAsync(string userId, CancellationToken cancellationToken = default);

    void Add(UserClient userClient);

    /// <summary>Removes the permission at once; returns how many rows went (0 or 1).</summary>
    Task<int> RemoveAsync(string userId, string clientId, CancellationToken cancellationToken = default);
}

public interface ISignInOtpRepository
{
    void Add(SignInOtp otp);
    Task<SignInOtp?> FindAsync(string id, CancellationToken cancellationToken = default);
    Task<SignInOtp?> FindByHashAsync(string hash, CancellationToken cancellationToken = default);
    void Remove(SignInOtp otp);

    /// <summary>
    /// One sign-in attempt of a user against their cached OTPs, in one atomic statement: every
    /// open (unused, unexpired, fewer than <paramref name="maxAttempts"/> attempts) OTP of the
    /// user counts the attempt, and the one with this hash among them is used up. True when it was.
    /// </summary>
    Task<bool> TryRedeemAsync(string userId, string hash, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken = default);
}

/// <summary>Queries over clients by a filter tree (the translation to SQL belongs to storage and is parameterised).</summary>
public interface IClientQueryRepository
{
    Task<IReadOnlyList<Client>> FindAsync(ClientQuery query, CancellationToken cancellationToken = default);
    Task<int> CountAsync(ClientFilter? where, CancellationToken cancellationToken = default);

    /// <summary>Matching clients, tracked for change (at most <paramref name="max"/>).</summary>
    Task<IReadOnlyList<Client>> FindForUpdateAsync(ClientFilter? where, int max, CancellationToken cancellationToken = default);
}

/// <summary>The client fields a filter may name: a whitelist, nothing else reaches a query.</summary>
public enum ClientField
{
    Id,
    ClientId,
    RedirectUrl,
    AccessTokenExpiration,
    RefreshTokenExpiration,
    AuthCodeExpiration,
    CreatedOn,
    ModifiedOn,
    Deleted,
    DeletedOn,
    DeletedBy,
}

public enum FilterOperator
{
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    Inq,
    Nin,
    Like,
    NLike,
    Between,
}

/// <summary>A filter over clients: a tree of and/or nodes with typed comparisons at the leaves.</summary>
public abstract record ClientFilter
{
    /// <summary>How deep a filter may nest; deeper ones are refused before any query is built.</summary>
    public const int MaxDepth = 8;

    /// <summary>How many values an <c>inq</c>/<c>nin</c> list may hold.</summary>
    public const int MaxListValues = 100;

    /// <summary>How many comparisons one filter may hold in all.</summary>
    public const int MaxComparisons = 100;
}

public sealed record AllOf(IReadOnlyList<ClientFilter> Items) : ClientFilter;

public sealed record AnyOf(IReadOnlyList<ClientFilter> Items) : ClientFilter;

/// <summary>
/// One comparison. <see cref="Values"/> hold <see cref="string"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/> or null as the caller sent them;
/// <see cref="ClientQueries.Normalize"/> types them for the field.
/// </summary>
public sealed record Comparison(ClientField Field, FilterOperator Operator, IReadOnlyList<object?> Values) : ClientFilter;

public sealed record ClientOrder(ClientField Field, bool Descending);

public sealed record ClientQuery(ClientFilter? Where, IReadOnlyList<ClientOrder> Order, int Skip, int Limit)
{
    public const int MaxLimit = 1000;
}

/// <summary>Checks a filter and types its values for the fields they compare with.</summary>
public static class ClientQueries
{
    public static bool IsNumeric(ClientField f) => f is ClientField.Id or ClientField.AccessTokenExpiration or ClientField.RefreshTokenExpiration or ClientField.AuthCodeExpiration;

    public static bool IsDate(ClientField f) => f is ClientField.CreatedOn or ClientField.ModifiedOn or ClientField.DeletedOn;

    public static bool IsText(ClientField f) => f is ClientField.ClientId or ClientField.RedirectUrl or ClientField.DeletedBy;

    /// <summary>
    /// Returns the filter with every value converted to the field's type (long, DateTimeOffset,
    /// string, bool), or a validation error naming what is wrong. Never throws for bad input.
    /// </summary>
    public static Result<ClientFilter> Normalize(ClientFilter filter)
    {
        var count = 0;
        return Normalize(filter, 1, ref count);
    }

    private static Result<ClientFilter> Normalize(ClientFilter filter, int depth, ref int count)
    {
        if (depth > ClientFilter.MaxDepth)
        {
            return Invalid("where", "too_deep", $"The filter nests deeper than {ClientFilter.MaxDepth} levels.");
        }
        switch (filter)
        {
            case AllOf or AnyOf:
                var items = filter is AllOf all ? all.Items : ((AnyOf)filter).Items;
                var normalized = new List<ClientFilter>(items.Count);
                foreach (var item in items)
                {
                    var n = Normalize(item, depth + 1, ref count);
                    if (!n.Succeeded)
                    {
                        return n;
                    }
                    normalized.Add(n.Value);
                }
                return filter is AllOf ? new AllOf(normalized) : new AnyOf(normalized);
            case Comparison c:
                if (++count > ClientFilter.MaxComparisons)
                {
                    return Invalid("where", "too_many", $"The filter holds more than {ClientFilter.MaxComparisons} comparisons.");
                }
                return NormalizeComparison(c);
            default:
                return Invalid("where", "invalid", "Unknown filter node.");
        }
    }

    private static Result<ClientFilter> NormalizeComparison(Comparison c)
    {
        var expected = c.Operator switch
        {
            FilterOperator.Inq or FilterOperator.Nin => -1,
            FilterOperator.Between => 2,
            _ => 1,
        };
        if ((expected > 0 && c.Values.Count != expected) || (expected < 0 && (c.Values.Count == 0 || c.Values.Count > ClientFilter.MaxListValues)))
        {
            return Invalid(c.Field, "value_count", $"Wrong number of values for '{c.Operator}' (lists hold 1 to {ClientFilter.MaxListValues}).");
        }
        if (c.Operator is FilterOperator.Like or FilterOperator.NLike && !IsText(c.Field))
        {
            return Invalid(c.Field, "operator", "'like' applies to text fields only.");
        }
        if (c.Field == ClientField.Deleted && c.Operator is not (FilterOperator.Eq or FilterOperator.Neq))
        {
            return Invalid(c.Field, "operator", "'deleted' supports equality only.");
        }
        var values = new List<object?>(c.Values.Count);
        foreach (var value in c.Values)
        {
            var typed = Convert(c.Field, value);
            if (typed is Invalidity)
            {
                return Invalid(c.Field, "type", $"A value of the wrong type for '{c.Field}'.");
            }
            if (typed is null && c.Operator is not (FilterOperator.Eq or FilterOperator.Neq))
            {
                return Invalid(c.Field, "type", "null is only comparable with equality.");
            }
            values.Add(typed);
        }
        return c with { Values = values };
    }

    private sealed class Invalidity
    {
        public static Invalidity Instance { get; } = new();
    }

    private static object? Convert(ClientField field, object? value)
    {
        if (value is null)
        {
            return field == ClientField.Deleted ? Invalidity.Instance : null;
        }
        if (IsNumeric(field))
        {
            return value switch
            {
                long l => l,
                double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
                string s when long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var p) => p,
                _ => Invalidity.Instance,
            };
        }
        if (IsDate(field))
        {
            return value is string s && s.Length <= 40 && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : Invalidity.Instance;
        }
        if (field == ClientField.Deleted)
        {
            return value is bool b ? b : Invalidity.Instance;
        }
        return value is string text && text.Length <= 500 ? text : Invalidity.Instance;
    }

    private static CoreError Invalid(ClientField field, string rule, string message) =>
        Invalid(char.ToLowerInvariant(field.ToString()[0]) + field.ToString()[1..], rule, message);

    private static CoreError Invalid(string field, string rule, string message) => CoreErrors.Validation(field, rule, message);
}
