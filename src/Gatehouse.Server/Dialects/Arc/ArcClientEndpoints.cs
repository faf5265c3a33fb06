using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>ARC's <c>/auth-clients</c> CRUD and <c>/otp-caches</c>, for administrators only.</summary>
internal static class ArcClientEndpoints
{
    private static ArcSchema ClientSchema(bool partial) => new(
        new ArcProperty("deleted", ArcType.Boolean),
        new ArcProperty("deletedOn", ArcType.String, Nullable: true),
        new ArcProperty("deletedBy", ArcType.String, Nullable: true),
        new ArcProperty("createdOn", ArcType.String),
        new ArcProperty("modifiedOn", ArcType.String),
        new ArcProperty("id", ArcType.Number),
        new ArcProperty("clientId", ArcType.String, Required: !partial),
        new ArcProperty("clientSecret", ArcType.String, Required: !partial),
        new ArcProperty("secret", ArcType.String, Required: !partial),
        new ArcProperty("redirectUrl", ArcType.String),
        new ArcProperty("accessTokenExpiration", ArcType.Number, Required: !partial),
        new ArcProperty("refreshTokenExpiration", ArcType.Number, Required: !partial),
        new ArcProperty("authCodeExpiration", ArcType.Number, Required: !partial));

    private static readonly ArcSchema FullClient = ClientSchema(partial: false);
    private static readonly ArcSchema PartialClient = ClientSchema(partial: true);

    private static readonly ArcSchema OtpSchema = new(
        new ArcProperty("otp", ArcType.String, Required: true),
        new ArcProperty("username", ArcType.String, Required: true));

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/auth-clients", ListAsync).WithName("ArcListClients");
        group.MapGet("/auth-clients/count", CountAsync).WithName("ArcCountClients");
        group.MapPost("/auth-clients", CreateAsync).WithName("ArcCreateClient");
        group.MapPatch("/auth-clients", UpdateWhereAsync).WithName("ArcUpdateClientsWhere");
        group.MapGet("/auth-clients/{id}", GetAsync).WithName("ArcGetClient");
        group.MapPut("/auth-clients/{id}", ReplaceAsync).WithName("ArcReplaceClient");
        group.MapPatch("/auth-clients/{id}", UpdateAsync).WithName("ArcUpdateClient");
        group.MapDelete("/auth-clients/{id}", DeleteAsync).WithName("ArcDeleteClient");

        group.MapPost("/otp-caches", CacheOtpAsync).WithName("ArcCacheOtp");
        group.MapGet("/otp-caches/{id}", GetOtpAsync).WithName("ArcGetOtp");
        group.MapDelete("/otp-caches/{id}", DeleteOtpAsync).WithName("ArcDeleteOtp");
    }

    private static ArcAuthClient ToWire(Client client, AdminService admin, TokenOptions defaults) => new(
        client.IsDeleted,
        client.DeletedAt,
        client.DeletedBy,
        client.CreatedAt,
        client.UpdatedAt,
        client.Number,
        client.ClientId,
        admin.RevealSecret(client),
        admin.RevealCodeSecret(client),
        client.RedirectUriList.FirstOrDefault(),
        client.AccessTokenLifetimeSeconds ?? (long)defaults.AccessTokenLifetime.TotalSeconds,
        client.RefreshTokenLifetimeSeconds ?? (long)defaults.RefreshTokenLifetime.TotalSeconds,
        client.AuthorizationCodeLifetimeSeconds ?? (long)defaults.AuthorizationCodeLifetime.TotalSeconds);

    private static IResult NotFound(string what) => ArcResults.Error(StatusCodes.Status404NotFound, $"Entity not found: {what}");

    private static IResult BadFilter(string message) => ArcResults.Error(StatusCodes.Status400BadRequest, message);

    private static IResult CoreFailure(CoreError error) => error.Code switch
    {
        CoreErrors.NotFoundCode => NotFound("AuthClient"),
        CoreErrors.ConflictCode => ArcResults.Error(StatusCodes.Status409Conflict, error.Message),
        CoreErrors.ValidationFailedCode => ArcAuth.Unprocessable(error),
        _ => ArcResults.Error(StatusCodes.Status400BadRequest, error.Message),
    };

    /// <summary>A filter problem is the caller's: 400 (CONTRACTS.md 001: never a 500).</summary>
    private static IResult FilterFailure(CoreError error) =>
        error.Code == CoreErrors.ValidationFailedCode ? BadFilter("Invalid filter: " + error.Message) : CoreFailure(error);

    private static async Task<IResult> ListAsync(HttpContext http, ClientQueryService queries, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (_, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        ArcClientFilter filter;
        try
        {
            filter = ArcFilterParser.ParseFilter(http.Request.Query["filter"].ToString());
        }
        catch (ArcFilterParser.FilterException ex)
        {
            return BadFilter(ex.Message);
        }
        var found = await queries.FindAsync(filter.Query, http.RequestAborted);
        if (!found.Succeeded)
        {
            return FilterFailure(found.Error!);
        }
        var list = found.Value.Select(c => ToWire(c, admin, defaults.Value)).ToList();
        if (filter.Fields is null)
        {
            return ArcResults.Json(list, ArcJsonContext.Default.ListArcAuthClient);
        }
        // LoopBack's `fields`: only the named properties are shown.
        var array = JsonSerializer.SerializeToNode(list, ArcJsonContext.Default.ListArcAuthClient)!.AsArray();
        foreach (var item in array.OfType<JsonObject>())
        {
            foreach (var name in item.Select(p => p.Key).Where(k => !filter.Fields.Contains(k)).ToList())
            {
                item.Remove(name);
            }
        }
        return ArcResults.Raw(System.Text.Encoding.UTF8.GetBytes(array.ToJsonString()));
    }

    /// <summary>The <c>where</c> query parameter as the core's filter, or the 400 that refuses it.</summary>
    private static (ClientFilter? Where, IResult? Error) ParseWhere(HttpContext http)
    {
        try
        {
            return (ArcFilterParser.ParseWhereParameter(http.Request.Query["where"].ToString()), null);
        }
        catch (ArcFilterParser.FilterException ex)
        {
            return (null, BadFilter(ex.Message));
        }
    }

    private static async Task<IResult> CountAsync(HttpContext http, ClientQueryService queries)
    {
        var (_, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (where, badWhere) = ParseWhere(http);
        if (badWhere is not null)
        {
            return badWhere;
        }
        var count = await queries.CountAsync(where, http.RequestAborted);
        return count.Succeeded ? ArcResults.Json(new ArcCount(count.Value), ArcJsonContext.Default.ArcCount) : FilterFailure(count.Error!);
    }

    /// <summary>The core change a body asks for; lifetimes beyond an int are refused.</summary>
    private static (ClientChange? Change, IResult? Error) ToChange(ArcBody body)
    {
        int? Lifetime(string name, out bool bad)
        {
            bad = false;
            if (body.Number(name) is not long value)
            {
                return null;
            }
            if (value is <= 0 or > int.MaxValue)
            {
                bad = true;
                return null;
            }
            return (int)value;
        }
        var access = Lifetime("accessTokenExpiration", out var badAccess);
        var refresh = Lifetime("refreshTokenExpiration", out var badRefresh);
        var code = Lifetime("authCodeExpiration", out var badCode);
        if (badAccess || badRefresh || badCode)
        {
            return (null, ArcResults.Error(StatusCodes.Status422UnprocessableEntity, "Token expirations must be positive numbers of seconds."));
        }
        var redirect = body.String("redirectUrl");
        return (new ClientChange
        {
            ClientId = body.String("clientId"),
            Secret = body.String("clientSecret"),
            CodeSecret = body.String("secret"),
            RedirectUris = redirect is null ? null : redirect.Length == 0 ? [] : [redirect],
            AccessTokenLifetimeSeconds = access,
            RefreshTokenLifetimeSeconds = refresh,
            AuthorizationCodeLifetimeSeconds = code,
        }, null);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, FullClient);
        if (invalid is not null)
        {
            return invalid;
        }
        var (claims, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (change, bad) = ToChange(body!);
        if (bad is not null)
        {
            return bad;
        }
        var created = await admin.CreateClientAsync(change!, claims!.Subject, ArcAuth.Context(http), http.RequestAborted);
        return created.Succeeded
            ? ArcResults.Json(ToWire(created.Value, admin, defaults.Value), ArcJsonContext.Default.ArcAuthClient)
            : CoreFailure(created.Error!);
    }

    private static async Task<IResult> UpdateWhereAsync(HttpContext http, ClientQueryService queries)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, PartialClient);
        if (invalid is not null)
        {
            return invalid;
        }
        var (claims, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (where, badWhere) = ParseWhere(http);
        if (badWhere is not null)
        {
            return badWhere;
        }
        var (change, bad) = ToChange(body!);
        if (bad is not null)
        {
            return bad;
        }
        var count = await queries.UpdateWhereAsync(where, change!, claims!.Subject, ArcAuth.Context(http), http.RequestAborted);
        return count.Succeeded ? ArcResults.Json(new ArcCount(count.Value), ArcJsonContext.Default.ArcCount) : FilterFailure(count.Error!);
    }

    /// <summary>The client of a numeric id (AuthClient.id is the client's number).</summary>
    private static async Task<(Client? Client, IResult? Error)> FindAsync(HttpContext http, string id, ClientQueryService queries)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return (null, NotFound("AuthClient"));
        }
        var found = await queries.GetByNumberAsync(number, http.RequestAborted);
        return found.Succeeded ? (found.Value, null) : (null, NotFound("AuthClient"));
    }

    private static async Task<IResult> GetAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (_, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (client, missing) = await FindAsync(http, id, queries);
        return missing ?? ArcResults.Json(ToWire(client!, admin, defaults.Value), ArcJsonContext.Default.ArcAuthClient);
    }

    private static Task<IResult> ReplaceAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin) => ChangeAsync(http, id, queries, admin, FullClient);

    private static Task<IResult> UpdateAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin) => ChangeAsync(http, id, queries, admin, PartialClient);

    private static async Task<IResult> ChangeAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin, ArcSchema schema)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, schema);
        if (invalid is not null)
        {
            return invalid;
        }
        var (claims, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (client, missing) = await FindAsync(http, id, queries);
        if (missing is not null)
        {
            return missing;
        }
        var (change, bad) = ToChange(body!);
        if (bad is not null)
        {
            return bad;
        }
        if (change!.ClientId is not null && change.ClientId != client!.ClientId)
        {
            return ArcResults.Error(StatusCodes.Status422UnprocessableEntity, "The clientId cannot be changed.");
        }
        var updated = await admin.UpdateClientAsync(client!.ClientId, change, claims!.Subject, ArcAuth.Context(http), http.RequestAborted);
        return updated.Succeeded ? Results.NoContent() : CoreFailure(updated.Error!);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin)
    {
        var (claims, denied) = await ArcAuth.AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (client, missing) = await FindAsync(http, id, queries);
        if (missing is not null)
        {
            return missing;
        }
        var deleted = await admin.DeleteClientAsync(client!.ClientId, claims!.Subject, ArcAuth.Context(http), http.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : CoreFailure(deleted.Error!);
    }

    // CONTRACTS.md 001, secure: /otp-caches is for administrators and trusted services only (the
    // original left it open, which let anyone set a password for anyone).

    private static async Task<IResult> CacheOtpAsync(HttpContext http, ClientSignInService service)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, OtpSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var (actor, denied) = await ArcAuth.OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var otp = body!.String("otp");
        var cached = await service.CacheOtpAsync(body.String("username"), otp, ArcAuth.Context(http), actor, http.RequestAborted);
        if (!cached.Succeeded)
        {
            return cached.Error!.Code == CoreErrors.NotFoundCode ? NotFound("User") : CoreFailure(cached.Error);
        }
        return ArcResults.Json(new ArcOtp(cached.Value.Id, otp!, cached.Value.Username), ArcJsonContext.Default.ArcOtp);
    }

    /// <summary>Only a hash of the OTP is kept, so it is shown masked.</summary>
    private const string MaskedOtp = "******";

    private static async Task<IResult> GetOtpAsync(HttpContext http, string id, ClientSignInService service)
    {
        var (_, denied) = await ArcAuth.OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var found = await service.GetOtpAsync(id, http.RequestAborted);
        return found.Succeeded
            ? ArcResults.Json(new ArcOtp(found.Value.Id, MaskedOtp, found.Value.Username), ArcJsonContext.Default.ArcOtp)
            : NotFound("Otp");
    }

    private static async Task<IResult> DeleteOtpAsync(HttpContext http, string id, ClientSignInService service)
    {
        var (actor, denied) = await ArcAuth.OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var deleted = await service.DeleteOtpAsync(id, ArcAuth.Context(http), actor, http.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : NotFound("Otp");
    }
}
