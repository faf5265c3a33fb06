using Gatehouse.Server.Api;
using Gatehouse.Server.Api.Admin;
using Gatehouse.Server.Api.Native;
using Microsoft.AspNetCore.Diagnostics;

namespace Gatehouse.Server.Hosting;

internal static class GatehousePipeline
{
    public static WebApplication UseGatehouse(this WebApplication app)
    {
        // Every error is a problem+json body, never an HTML page or an empty 500: exceptions
        // (bad request bodies throw BadHttpRequestException) and bodiless 4xx/5xx alike.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
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
        return app;
    }
}
