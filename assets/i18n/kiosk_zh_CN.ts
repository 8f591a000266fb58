<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CallScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/CallScreen.qml" line="+56"/>
        <source>This is you</source>
        <translation>这是您自己</translation>
    </message>
    <message>
        <location line="+68"/>
        <location line="+157"/>
        <source>The lawyer on duty</source>
        <translation>值班的律师</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>Call time %1</source>
        <translation>通话时间 %1</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Cancelling the call…</source>
        <translation>正在取消呼叫…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Now calling</source>
        <translation>正在为您呼叫</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>You are next.</source>
        <translation>下一位就是您。</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n resident(s) ahead of you.</source>
        <translation>
            <numerusform>前面还有 %n 位。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>It will not be long.</source>
        <translation>很快就能接通。</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>About %n minute(s) to wait.</source>
        <translation>
            <numerusform>预计等待约 %n 分钟。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Please wait. When the lawyer answers, you will see them on this screen.</source>
        <translation>请稍等，律师接听后会出现在屏幕上。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel the call</source>
        <translation>取消呼叫</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Connecting the picture…</source>
        <translation>正在接通画面…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The line dropped. Connecting again, please wait…</source>
        <translation>信号断了，正在重新连接，请稍等…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Ending the call…</source>
        <translation>正在结束通话…</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Hold the paper up to the camera</source>
        <translation>请把文件对准摄像头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sending the photo to the lawyer…</source>
        <translation>正在把照片发给律师…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent to the lawyer.</source>
        <translation>已发送给律师。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The photo did not go through.</source>
        <translation>照片没有发出去。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Hold it still. Check that you can see it in your own small picture.</source>
        <translation>拿稳别动，在您自己的小画面里能看到文件就行。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please keep holding it a moment.</source>
        <translation>请再拿稳一会儿。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can put the paper down now.</source>
        <translation>现在可以放下文件了。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The lawyer can ask for it again.</source>
        <translation>律师可以请您再拍一次。</translation>
    </message>
    <message>
        <location line="+106"/>
        <source>Muted: the lawyer cannot hear you. Tap to talk again.</source>
        <translation>已静音，律师听不到您。点这里恢复声音。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Hanging up…</source>
        <translation>正在挂断…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hang up</source>
        <translation>挂断</translation>
    </message>
</context>
<context>
    <name>ExpertCard</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/ExpertCard.qml" line="+96"/>
        <source>On duty today %1</source>
        <translation>今天值班 %1</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Video call</source>
        <translation>视频通话</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Not available now</source>
        <translation>暂时不能接听</translation>
    </message>
</context>
<context>
    <name>FallbackScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/FallbackScreen.qml" line="+73"/>
        <source>If it is urgent, you can also call the hotline.</source>
        <translation>着急的话，也可以打热线。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave your phone number and a lawyer will call you back. Or call the hotline now.</source>
        <translation>留下您的手机号，律师会给您回电话；着急的话，现在就打热线。</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Type your phone number</source>
        <translation>请输入您的手机号</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>A mobile number has 11 digits. For a landline, start with the area code.</source>
        <translation>手机号是 11 位；座机号请先输区号。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Call me back</source>
        <translation>请律师给我回电话</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Your number is saved. A lawyer will call you back.</source>
        <translation>已记下您的号码，律师会给您回电。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your number could not be saved. Please call %1.</source>
        <translation>号码没能记下，请拨打 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saving your number…</source>
        <translation>正在记下您的号码…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The lawyer will call %1. Please keep that phone switched on.</source>
        <translation>律师会打 %1 找您，请保持这部手机开机。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Try again</source>
        <translation>再试一次</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Or call the legal service hotline:</source>
        <translation>或者拨打法律服务热线：</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Back to the list</source>
        <translation>返回值班表</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Finish</source>
        <translation>结束，回到首页</translation>
    </message>
</context>
<context>
    <name>HotlineBar</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/HotlineBar.qml" line="+30"/>
        <source>Legal service hotline</source>
        <translation>法律服务热线</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/IdleOverlay.qml" line="+33"/>
        <source>Are you still there?</source>
        <translation>还在吗？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Touch the screen to continue.</source>
        <translation>触摸屏幕继续</translation>
    </message>
    <message numerus="yes">
        <location line="+28"/>
        <source>Otherwise we go back to the start in %n second(s), and what you chose is cleared.</source>
        <translation>
            <numerusform>%n 秒后回到首页，您刚才选的内容会被清除。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/Keypad.qml" line="+35"/>
        <source>Erase</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/Main.qml" line="+17"/>
        <source>Public legal services</source>
        <translation>公共法律服务</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/Kiosk/MaintenanceScreen.qml" line="+25"/>
        <source>%n event(s) not on the disk yet</source>
        <translation>
            <numerusform>%n 条尚未写入磁盘</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n event(s) refused</source>
        <translation>
            <numerusform>%n 条被拒收</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Jumped ahead by %1</source>
        <translation>时钟快进了 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jumped back by %1</source>
        <translation>时钟倒退了 %1</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Maintenance</source>
        <translation>维护信息</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>For technicians. Nothing on this screen deletes a record.</source>
        <translation>供技术人员使用。本页面上的操作不会删除任何记录。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Session records</source>
        <translation>会话记录</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting to upload</source>
        <translation>待上传</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <location line="+27"/>
        <source>%n event(s)</source>
        <translation>
            <numerusform>%n 条</numerusform>
        </translation>
    </message>
    <message>
        <location line="-23"/>
        <source>From</source>
        <translation>涉及</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n consultation(s)</source>
        <translation>
            <numerusform>%n 次咨询</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Oldest has waited</source>
        <translation>最早一条已等待</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+24"/>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Sent since start</source>
        <translation>开机后已上传</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Last success</source>
        <translation>上次成功</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not yet</source>
        <translation>尚无</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Last error</source>
        <translation>上次错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Next try</source>
        <translation>下次尝试</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None planned</source>
        <translation>暂无安排</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In %1</source>
        <translation>%1后</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>This terminal</source>
        <translation>本终端</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Record key</source>
        <translation>记录密钥</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Screen drawn by</source>
        <translation>画面绘制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The graphics chip (GPU)</source>
        <translation>显卡（GPU）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The processor (no GPU driver found)</source>
        <translation>处理器（没有找到显卡驱动）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Not known</source>
        <translation>不清楚</translation>
    </message>
    <message>
        <location line="-84"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>All is well</source>
        <translation>一切正常</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>In the system keyring</source>
        <translation>系统密钥环</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not known yet: the record store has not opened</source>
        <translation>尚不清楚：记录库还没有打开</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Video codec</source>
        <translation>视频编码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>H.264, hardware (%1)</source>
        <translation>H.264，硬件编码（%1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>H.264, software (%1)</source>
        <translation>H.264，软件编码（%1）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>VP8, software</source>
        <translation>VP8，软件编码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not known yet</source>
        <translation>尚未检测</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Resend the refused records</source>
        <translation>重新发送被拒绝的记录</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Upload now</source>
        <translation>立即上传</translation>
    </message>
</context>
<context>
    <name>NoticeBanner</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/NoticeBanner.qml" line="+36"/>
        <source>%1 %2</source>
        <extracomment>Two sentences side by side: what happened, and what to do.</extracomment>
        <translation>%1%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No connection right now; this list may be out of date.</source>
        <translation>网络暂时不通，下面的值班表可能不是最新的。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No connection right now; this list was updated just now.</source>
        <translation>网络暂时不通，值班表刚刚更新过。</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>No connection right now; this list was updated %n minute(s) ago.</source>
        <translation>
            <numerusform>网络暂时不通，值班表更新于 %n 分钟前。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Urgent? Call %1.</source>
        <translation>着急请拨打 %1。</translation>
    </message>
</context>
<context>
    <name>RatingScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/RatingScreen.qml" line="+47"/>
        <source>How was this consultation?</source>
        <translation>这次咨询，您满意吗？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Tap a face.</source>
        <translation>请点一个表情。</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Skip</source>
        <translation>跳过，不评价</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Thank you!</source>
        <translation>谢谢您！</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Your answer helps us serve you better.</source>
        <translation>您的评价能帮我们把服务做得更好。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>We hope the lawyer could help you.</source>
        <translation>希望律师帮到了您。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Going back to the start…</source>
        <translation>马上回到首页…</translation>
    </message>
</context>
<context>
    <name>ScheduleScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/ScheduleScreen.qml" line="+86"/>
        <source>Video call now</source>
        <translation>马上视频通话</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>On duty now</source>
        <translation>现在值班</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Everyone on duty is busy right now. Please wait a little and try again, or call %1.</source>
        <translation>值班的专家都在忙。请稍等一会儿再试，或拨打 %1。</translation>
    </message>
    <message numerus="yes">
        <location line="+22"/>
        <source>%n more on duty.</source>
        <translation>
            <numerusform>还有 %n 位专家在值班。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The duty list cannot be shown right now.</source>
        <translation>现在无法显示值班表。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nobody is on duty right now.</source>
        <translation>现在没有专家值班。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No duty is planned for the next days.</source>
        <translation>最近几天还没有安排值班。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 at %2, %3 is on duty.</source>
        <extracomment>%1 day (&quot;Tomorrow&quot;), %2 start time, %3 person with role</extracomment>
        <translation>%1 %2 %3值班。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Need help now? Call the legal service hotline:</source>
        <translation>现在就需要帮助？请拨打法律服务热线：</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Next on duty</source>
        <translation>接下来值班</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nothing is planned yet.</source>
        <translation>还没有安排。</translation>
    </message>
</context>
<context>
    <name>ServiceTile</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/ServiceTile.qml" line="+97"/>
        <source>Someone can talk now</source>
        <translation>现在可以视频咨询</translation>
    </message>
</context>
<context>
    <name>ServicesScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/ServicesScreen.qml" line="+29"/>
        <source>What do you need help with? Tap one.</source>
        <translation>您需要哪方面的帮助？请点一下。</translation>
    </message>
</context>
<context>
    <name>StartScreen</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/StartScreen.qml" line="+57"/>
        <source>Public legal service point</source>
        <translation>公共法律服务点</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Talk to a lawyer from the city, face to face on this screen.</source>
        <translation>在这块屏幕上，和城里的律师面对面视频交谈。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Tap here to start</source>
        <translation>点击开始咨询</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/Texts.qml" line="+9"/>
        <source>Legal consultation</source>
        <translation>法律咨询</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Legal aid</source>
        <translation>法律援助</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Village legal adviser</source>
        <translation>村（居）法律顾问</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Duty lawyer help</source>
        <translation>值班律师法律帮助</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>People&apos;s mediation</source>
        <translation>人民调解</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Legal education</source>
        <translation>普法宣传</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ask a lawyer about a legal problem, face to face.</source>
        <translation>有法律问题，当面问律师。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot afford a lawyer? Apply for free legal help.</source>
        <translation>打官司有困难，申请免费法律帮助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The lawyer on duty today helps you now.</source>
        <translation>今天值班的律师马上帮您。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your village&apos;s own legal adviser answers you.</source>
        <translation>本村的法律顾问为您解答。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A mediator helps settle a dispute with neighbours or family.</source>
        <translation>邻里、家庭纠纷，请调解员帮忙。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learn about the law in everyday life.</source>
        <translation>了解与生活有关的法律知识。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lawyer</source>
        <translation>律师</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Judicial appraisal</source>
        <translation>司法鉴定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notary</source>
        <translation>公证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arbitration</source>
        <translation>仲裁</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>lawyer</source>
        <translation>律师</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>judicial appraiser</source>
        <translation>司法鉴定人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>notary</source>
        <translation>公证员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>arbitrator</source>
        <translation>仲裁员</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Monday</source>
        <translation>星期一</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tuesday</source>
        <translation>星期二</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wednesday</source>
        <translation>星期三</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Thursday</source>
        <translation>星期四</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Friday</source>
        <translation>星期五</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Saturday</source>
        <translation>星期六</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sunday</source>
        <translation>星期日</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Jan</source>
        <translation>1月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Feb</source>
        <translation>2月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mar</source>
        <translation>3月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Apr</source>
        <translation>4月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>May</source>
        <translation>5月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Jun</source>
        <translation>6月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jul</source>
        <translation>7月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Aug</source>
        <translation>8月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sep</source>
        <translation>9月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Oct</source>
        <translation>10月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nov</source>
        <translation>11月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dec</source>
        <translation>12月</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The lawyer did not answer this time.</source>
        <translation>律师这次没有接听。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Everyone on duty is helping other residents.</source>
        <translation>值班的律师都在忙，正在帮别人。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call was cut off and could not be joined again.</source>
        <translation>通话断了，没能重新接通。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The service centre cannot be reached right now.</source>
        <translation>现在联系不上服务中心。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The call could not be made.</source>
        <translation>这次没能接通。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Good signal</source>
        <translation>信号良好</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fair signal</source>
        <translation>信号一般</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weak signal: the voice may break up</source>
        <translation>信号较差，声音可能断断续续</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slow network: picture paused, voice goes on</source>
        <translation>网络较慢，画面暂停，声音继续</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The camera stopped working. The lawyer cannot see you, but can still hear you.</source>
        <translation>摄像头出了问题，律师看不到您，但还能听到您说话。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The microphone stopped working. The lawyer cannot hear you, but can still see you.</source>
        <translation>麦克风出了问题，律师听不到您说话，但还能看到您。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The network dropped. Connecting again, please wait…</source>
        <translation>网络断了，正在重新连接，请稍等…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Please type your phone number first.</source>
        <translation>请先输入您的手机号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too short: a mobile number has 11 digits.</source>
        <translation>位数不够：手机号是 11 位。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many digits: please check the number.</source>
        <translation>位数太多了，请检查一下号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A mobile number starts with 1, a landline with 0.</source>
        <translation>手机号以 1 开头，座机号以 0 开头。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Very dissatisfied</source>
        <translation>很不满意</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>So-so</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Very satisfied</source>
        <translation>很满意</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The record store will not open: restart the kiosk.</source>
        <translation>记录库无法打开，请重启终端。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Records only in memory: a power cut would lose them.</source>
        <translation>有记录只在内存中，断电就会丢失。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk full: new records wait in memory. Free disk space.</source>
        <translation>磁盘已满：新记录暂存在内存中，请清理磁盘空间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disk nearly full: reserve space in use. Free disk space.</source>
        <translation>磁盘将满：已在使用预留空间，请清理磁盘空间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot write to the disk: records wait in memory.</source>
        <translation>无法写入磁盘：记录暂存在内存中，请检查磁盘。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An unreadable record file was set aside, not deleted.</source>
        <translation>无法读取的记录文件已另行保存，没有删除。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The hub refused records: kept here, resend when fixed.</source>
        <translation>服务中心拒收了记录，已存本机：修复后请重新发送。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The clock jumped: check the date and time.</source>
        <translation>时钟发生跳变，请核对日期和时间。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing to send</source>
        <translation>没有要发送的记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed; waiting to try again</source>
        <translation>上传失败，等待重试</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No link to the hub: not enrolled?</source>
        <translation>未连接服务中心：终端是否已注册？</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Sending</source>
        <translation>正在上传</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>No lawyer can take a video call right now.</source>
        <translation>现在没有律师能接听视频通话。</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Another problem with the records: see the log.</source>
        <translation>记录出现其他问题，请查看日志。</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n 天</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <location line="+2"/>
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n 小时</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <location line="+1"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Less than a minute</source>
        <translation>不到 1 分钟</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%2 %1</source>
        <extracomment>A date without the year. %1 is the month (&quot;Nov&quot; / &quot;11月&quot;), %2 the day of the month.</extracomment>
        <translation>%1%2日</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1, %3 %2 %4</source>
        <extracomment>A full date on the start screen: %1 weekday, %2 month, %3 day, %4 year.</extracomment>
        <translation>%4年%2%3日 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tomorrow</source>
        <translation>明天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 %2</source>
        <extracomment>%1 weekday, %2 date such as &quot;26 Nov&quot;</extracomment>
        <translation>%2 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1–%2</source>
        <extracomment>Working hours, %1 start and %2 end, e.g. 08:30–12:00.</extracomment>
        <translation>%1–%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (%2)</source>
        <extracomment>One person with their role, e.g. &quot;Zhang Wei (lawyer)&quot; / &quot;张伟律师&quot;.</extracomment>
        <translation>%1%2</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <location filename="../../kiosk/ui/qml/Kiosk/TopBar.qml" line="+30"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Public legal services</source>
        <translation>公共法律服务</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Time: %1</source>
        <translation>时间：%1</translation>
    </message>
</context>
</TS>
