using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Pictures;

namespace Gatehouse.Server.Dialects.Fittrackee;

/// <summary>
/// FitTrackee 0.2.x's authentication API (CONTRACTS.md "004") at <c>/api/auth</c>. The
/// <c>auth_token</c> is a Gatehouse access token of a session started here, so logging out
/// ends it (the original left it valid). Its only settings are <c>Enabled</c> and
/// <c>BasePath</c>; its limits are the original's, fixed by the contract.
/// </summary>
internal sealed class FittrackeeDialect : IDialect
{
    public const string Surface = "fittrackee";

    /// <summary>FitTrackee's username limits, applied by the core; the mapper's message is built from them.</summary>
    public static readonly RegistrationRules UsernameRules = new() { UsernameRequired = true, UsernameMinimumLength = 3, UsernameMaximumLength = 12 };

    /// <summary>FitTrackee's picture limits, applied by the core.</summary>
    public static readonly PictureRules Pictures = new() { MaximumBytes = 1024 * 1024, AllowedExtensions = ["jpg", "jpeg", "png", "gif"] };

    public string Name => Surface;

    public string DefaultBasePath => "/api/auth";

    public static IServiceCollection Add(IServiceCollection services, IConfiguration gatehouseSection) =>
        services.AddDialect<FittrackeeDialect>(gatehouseSection, Surface, FittrackeeJsonContext.Default);

    public void Map(RouteGroupBuilder group) => group.MapFittrackee();

    public async Task WriteErrorAsync(HttpContext context, int status)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, FittrackeeMapper.ForStatus(status, context.Request.Path), FittrackeeJsonContext.Default.FittrackeeMessage, context.RequestAborted);
    }
}
