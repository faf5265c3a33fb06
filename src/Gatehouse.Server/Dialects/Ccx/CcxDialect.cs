using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>
/// Severalnines CCX auth-api (CONTRACTS.md "003"): the one dialect with a server-side session in
/// an HttpOnly cookie instead of bearer tokens. See README.md in this folder.
/// </summary>
internal sealed class CcxDialect(IConfiguration configuration, IOptions<GatehouseOptions> gatehouse) : IDialect
{
    public const string SurfaceName = "ccx";

    public string Name => SurfaceName;

    public string DefaultBasePath => "/ccx";

    public void Map(RouteGroupBuilder group)
    {
        // Validated here rather than in the constructor, so that the settings of a switched-off
        // dialect cannot stop the start-up; Map runs before the server listens.
        var options = configuration.GetSection(CcxOptions.Section).Get<CcxOptions>() ?? new CcxOptions();
        group.WithMetadata(CcxSettings.From(options, gatehouse.Value));
        group.MapCcxEndpoints();
    }

    public Task WriteErrorAsync(HttpContext context, int status) =>
        context.Response.WriteAsJsonAsync(CcxMapper.ErrorBody(status, CcxMapper.StatusMessage(status)), CcxJsonContext.Default.CcxError);
}
