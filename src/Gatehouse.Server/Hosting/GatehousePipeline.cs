using Gatehouse.Server.Api;
using Gatehouse.Server.Api.Admin;
using Gatehouse.Server.Api.Native;
using Gatehouse.Server.Dialects;

namespace Gatehouse.Server.Hosting;

internal static class GatehousePipeline
{
    public static WebApplication UseGatehouse(this WebApplication app)
    {
        // Every error has a body in the shape of the surface it happened on (problem+json for
        // the native API, the dialect's own body under a dialect's base path), never an HTML
        // page or an empty 500: exceptions and bodiless 4xx/5xx alike.
        // Only when proxies are listed: otherwise a client could name its own address.
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReverseProxyOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = DialectHosting.HandleExceptionAsync });
        app.UseStatusCodePages(context => DialectHosting.WriteErrorAsync(context.HttpContext, context.HttpContext.Response.StatusCode));
        app.UseRateLimiter();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Gatehouse v1");
            o.DocumentTitle = "Gatehouse API";
        });

        app.MapSystemEndpoints();
        app.MapAccountEndpoints();
        app.MapAdminEndpoints();
        app.MapPictureEndpoints();
        app.MapDialects();
        return app;
    }
}
