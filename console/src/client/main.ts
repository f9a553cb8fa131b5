import "./style.css";
import { html, render } from "htm/preact";
import { AlarmsPage } from "./alarms-page.js";
import { AppsPage } from "./apps-page.js";
import { Layout } from "./layout.js";
import { LoadBalancerPage } from "./load-balancer-page.js";
import { LogsPage } from "./logs-page.js";
import { ServicesPage } from "./services-page.js";
import { TasksPage } from "./tasks-page.js";

// The console's pages, one per concern; each opens its own live stream.

const pages: Record<string, () => unknown> = {
  "/services": ServicesPage,
  "/tasks": TasksPage,
  "/load-balancer": LoadBalancerPage,
  "/alarms": AlarmsPage,
  "/logs": LogsPage,
  "/apps": AppsPage,
};

const path = location.pathname in pages ? location.pathname : "/services";
const Page = pages[path] as () => unknown;
render(html`<${Layout} path=${path}><${Page} /><//>`, document.getElementById("app") as HTMLElement);
